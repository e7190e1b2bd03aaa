// The `scan` bench suite: every registered selective-scan kernel version at the anchor shapes
// (small ones on CPU adapters) plus the vec4 copy over the same bytes in the same run:
// ms (measure(): GPU timestamps, median), effective GB/s (4*(4*B*D*L + 2*B*N*L) bytes), % of copy, speed-up vs v1.
import { Tensor } from '@mamba-webgpu/tensor';
import { SCAN_KERNELS, prepareScan } from '@mamba-webgpu/scan-kernels/internal';
import { copyVec4, measure } from '@mamba-webgpu/tensor/internal';
import { significant } from '../format.js';
import { sampleFields } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

type Shape = readonly [batch: number, dInner: number, seqLen: number, dState: number];

const FULL_SHAPES: Shape[] = [
  [8, 1536, 2048, 16],
  [1, 1536, 2048, 16],
  [8, 1536, 8192, 16],
];
const SMALL_SHAPES: Shape[] = [
  [1, 64, 512, 16],
  [2, 128, 1024, 16],
];

/** Deterministic fill: a 64K pattern (LCG) repeated, in [lo, hi). */
function pattern(n: number, seed: number, lo: number, hi: number): Float32Array {
  const base = new Float32Array(Math.min(n, 1 << 16));
  let s = seed >>> 0;
  for (let i = 0; i < base.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    base[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += base.length) out.set(base.subarray(0, Math.min(base.length, n - i)), i);
  return out;
}

export const scanSuite: BenchSuite = {
  name: 'scan',
  description: 'selective scan kernel versions vs the vec4 copy bandwidth (f32)',
  needsGpu: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const gpu = ctx.gpu!;
    const shapes = ctx.sizing === 'full' ? FULL_SHAPES : SMALL_SHAPES;
    const reps = ctx.sizing === 'full' ? 10 : 3;
    const rows: BenchRow[] = [];
    const total = shapes.length * (SCAN_KERNELS.length + 1);
    let done = 0;
    for (const [batch, dInner, seqLen, dState] of shapes) {
      const shape = `(${batch},${dInner},${seqLen},${dState})`;
      const bdl = batch * dInner * seqLen;
      const bnl = batch * dState * seqLen;
      const upload = (data: Float32Array, dims: number[], label: string) =>
        Tensor.fromArray(gpu, data, dims, 'f32', `bench/scan/${label}`);
      const tensors = {
        u: upload(pattern(bdl, 1, -1, 1), [batch, dInner, seqLen], 'u'),
        delta: upload(pattern(bdl, 2, -4, 1), [batch, dInner, seqLen], 'delta'),
        z: upload(pattern(bdl, 3, -2, 2), [batch, dInner, seqLen], 'z'),
        A: upload(
          Float32Array.from({ length: dInner * dState }, (_, i) => -((i % dState) + 1)),
          [dInner, dState],
          'A',
        ),
        B: upload(pattern(bnl, 4, -1, 1), [batch, dState, seqLen], 'B'),
        C: upload(pattern(bnl, 5, -1, 1), [batch, dState, seqLen], 'C'),
        D: upload(pattern(dInner, 6, 0, 1), [dInner], 'D'),
        deltaBias: upload(pattern(dInner, 7, -1, 0), [dInner], 'delta-bias'),
      };
      const y = Tensor.empty(gpu, [batch, dInner, seqLen], 'f32', 'bench/scan/y');
      const state = Tensor.empty(gpu, [batch, dInner, dState], 'f32', 'bench/scan/state');
      const bytes = 4 * (4 * bdl + 2 * bnl);
      // The copy moves the same bytes: it reads half and writes half.
      const copyBytes = Math.floor(bytes / 2 / 16) * 16;
      const src = Tensor.empty(gpu, [copyBytes / 4], 'f32', 'bench/scan/copy-src');
      const dst = Tensor.empty(gpu, [copyBytes / 4], 'f32', 'bench/scan/copy-dst');
      try {
        ctx.progress(done++, total, `${shape} copy-vec4`);
        const copy = await measure(gpu, () => copyVec4(gpu, src.buffer, dst.buffer, copyBytes), {
          warmup: 1,
          samples: reps,
        });
        const copyGbs = (2 * copyBytes) / copy.median / 1e6;
        rows.push({
          suite: 'scan',
          name: 'copy-vec4',
          shape,
          value: copy.median,
          unit: 'ms',
          ...sampleFields(copy),
          extra: { 'GB/s': significant(copyGbs), '% copy': 100, timing: copy.clock },
        });
        const problem = prepareScan(gpu, 'bench/scan', {
          ...tensors,
          deltaSoftplus: true,
          yOut: y,
          lastStateOut: state,
        });
        let v1Ms: number | undefined;
        for (const kernel of SCAN_KERNELS) {
          ctx.progress(done++, total, `${shape} ${kernel.name}`);
          if (!kernel.supports(problem)) continue;
          const kernelReps = kernel.name === 'v1-sequential' ? Math.min(reps, 3) : reps;
          const t = await measure(
            gpu,
            () => {
              const temporaries = kernel.record(problem);
              gpu.flush();
              for (const temp of temporaries) temp.dispose();
            },
            { warmup: 1, samples: kernelReps },
          );
          if (kernel.name === 'v1-sequential') v1Ms = t.median;
          const gbs = bytes / t.median / 1e6;
          rows.push({
            suite: 'scan',
            name: `scan/${kernel.name}`,
            shape,
            value: t.median,
            unit: 'ms',
            ...sampleFields(t),
            extra: {
              'GB/s': significant(gbs),
              '% copy': significant((100 * gbs) / copyGbs),
              'vs v1': v1Ms ? Number((v1Ms / t.median).toFixed(2)) : '-',
              timing: t.clock,
            },
          });
        }
      } finally {
        for (const t of [...Object.values(tensors), y, state, src, dst]) t.dispose();
        await gpu.sync('bench/scan');
      }
    }
    ctx.progress(total, total, 'done');
    return rows;
  },
};
