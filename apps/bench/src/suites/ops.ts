// The ops suite: matmul throughput of every registered kernel version (MATMUL_KERNELS, as the tests
// iterate it) at the model's prefill (GEMM) and decode (GEMV) shapes, f32 and packed bf16 weights,
// and for a transposed weight (dX = dY @ W in training), against the vec4 copy kernel's
// bandwidth, the ceiling of every memory-bound kernel. Timed by measure(): GPU timestamps,
// wall clock around submit where the adapter has none; medians after warm-up.
import { MATMUL_KERNELS, Tensor, matmul } from '@mamba-webgpu/tensor';
import { measure, perSecond } from '@mamba-webgpu/tensor/internal';
import { copyCeilingRow } from './copy-ceiling.js';
import { sampleFields } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

type WDType = 'f32' | 'bf16';

interface MatmulCase {
  /** x: (m, k); W: (n, k). */
  m: number;
  n: number;
  k: number;
  wDtype: WDType;
  /** W read as the transpose of a (k, n) tensor (strides (1, n)), as dX = dY @ W reads it. */
  wTransposed?: boolean;
}

/** Shapes per sizing: the 130m model's in_proj / prefill GEMMs and LM-head GEMV on `full`. */
function matmulCases(sizing: BenchContext['sizing']): MatmulCase[] {
  if (sizing === 'small') {
    return [
      { m: 128, n: 512, k: 256, wDtype: 'f32' },
      { m: 1, n: 4096, k: 256, wDtype: 'f32' },
      { m: 1, n: 4096, k: 256, wDtype: 'bf16' },
      { m: 128, n: 256, k: 512, wDtype: 'f32', wTransposed: true },
    ];
  }
  return [
    { m: 2048, n: 1536, k: 768, wDtype: 'f32' },
    { m: 2048, n: 3072, k: 768, wDtype: 'f32' },
    { m: 2048, n: 3072, k: 768, wDtype: 'bf16' },
    { m: 1, n: 50280, k: 768, wDtype: 'f32' },
    { m: 1, n: 50280, k: 768, wDtype: 'bf16' },
    { m: 1, n: 3072, k: 768, wDtype: 'f32' },
    { m: 16, n: 3072, k: 768, wDtype: 'bf16' },
    { m: 64, n: 3072, k: 768, wDtype: 'bf16' },
    { m: 2048, n: 768, k: 3072, wDtype: 'f32', wTransposed: true },
  ];
}

export const opsSuite: BenchSuite = {
  name: 'ops',
  description:
    'matmul GFLOP/s and GB/s per kernel version (prefill GEMM, decode GEMV, f32/bf16 W) vs the vec4 copy ceiling',
  needsGpu: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const gpu = ctx.gpu;
    if (!gpu) throw new Error('ops suite: needs a GPU adapter, got none');
    const rows: BenchRow[] = [];
    const cases = matmulCases(ctx.sizing);
    const plan = cases.flatMap((c) => MATMUL_KERNELS.map((version) => ({ c, kernel: version.name })));
    const total = plan.length + 1;
    const budgetMs = ctx.timeBudgetMs / total;
    const small = ctx.sizing === 'small';
    // `repeat` back-to-back calls per timed pass: the time per call.
    const timing = { samples: small ? 5 : 20, repeat: small ? 1 : 10, budgetMs };
    let done = 0;

    // Bandwidth ceiling: vec4 copy, bytes = read + write.
    ctx.progress(done, total, 'copy-vec4');
    rows.push(await copyCeilingRow(gpu, 'ops', small ? 16 << 20 : 512 << 20, timing));
    ctx.progress(++done, total, 'copy-vec4');

    for (const { c, kernel } of plan) {
      const label = `matmul/${kernel} ${c.wDtype}`;
      const shape = `(${c.m}x${c.k})@(${c.n}x${c.k})^T${c.wTransposed ? ' W transposed' : ''}`;
      ctx.progress(done, total, `${label} ${shape}`);
      using x = Tensor.fromArray(gpu, new Float32Array(c.m * c.k).fill(0.5), [c.m, c.k], 'f32', 'bench/x');
      using stored = Tensor.fromArray(
        gpu,
        new Float32Array(c.n * c.k).fill(0.25),
        c.wTransposed ? [c.k, c.n] : [c.n, c.k],
        c.wDtype,
        'bench/w',
      );
      using w = c.wTransposed ? stored.transpose(0, 1) : stored.reshape([c.n, c.k]);
      using out = Tensor.empty(gpu, [c.m, c.n], 'f32', 'bench/out');
      const m = await measure(gpu, () => matmul(x, w, { out, kernel }), timing);
      const flops = 2 * c.m * c.n * c.k;
      const bytes = w.byteLength + x.byteLength + out.byteLength;
      const { value, ...stats } = perSecond(m, flops / 1e9);
      rows.push({
        suite: 'ops',
        name: label,
        shape,
        value,
        unit: 'GFLOP/s',
        ...sampleFields(stats),
        extra: { ms: m.median, 'GB/s': bytes / 1e9 / (m.median / 1000), timing: m.clock },
      });
      ctx.progress(++done, total, `${label} ${shape}`);
    }
    return rows;
  },
};
