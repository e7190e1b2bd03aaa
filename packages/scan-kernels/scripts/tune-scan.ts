// Standalone H200 tuning sweep (one device run): every registered kernel plus v2 and v3
// configurations at the three anchor shapes, with plain operands, B/C as (batch, seqLen, dState)
// views and the model's views (B/C in x_proj's rows, u/z/delta/y token-major), and the vec4 copy
// over the same bytes; prints a table, writes JSON.
// Run: `pnpm tune:scan` (bundles to apps/bench/.bench-out/tune-scan.mjs; see docs/benchmarks/README.md).
import { writeFileSync } from 'node:fs';
import { Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { copyVec4, measure } from '@mamba-webgpu/tensor/internal';
import { SCAN_KERNELS } from '../src/selective-scan/kernels.js';
import { prepareScan } from '../src/selective-scan/selective-scan.js';
import type { ScanKernelVersion, SelectiveScanArgs } from '../src/selective-scan/types.js';
import { chunkedKernel } from '../src/selective-scan/v2-chunked.js';
import { subgroupScanKernel } from '../src/selective-scan/v3-subgroup-scan.js';
import { fill } from './fill.js';

const SHAPES = (process.env.SHAPES ?? '8x1536x2048x16,1x1536x2048x16,8x1536x8192x16')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number, number]);
// v2: channels x chunks x steps [x tileStates, default 16].
const CONFIGS: [number, number, number, number?][] = (
  process.env.CONFIGS ?? '4x64x16,4x128x8,8x32x8,4x64x4,8x64x4,4x128x4'
)
  .split(',')
  .filter(Boolean)
  .map((s) => s.split('x').map(Number) as [number, number, number, number?]);
// v3: channels x chunks x steps x tileStates, then `s` for the chain without subgroups and/or `e`
// for one exp per (t, n): 4x64x8x16, 4x64x8x16s, 2x128x8x8e.
const V3_CONFIGS = (process.env.V3_CONFIGS ?? '4x64x8x16s,4x32x8x16,2x128x8x8e')
  .split(',')
  .filter(Boolean)
  .map((s) => ({
    name: s,
    sizes: s.replace(/[se]/g, '').split('x').map(Number),
    subgroups: !s.includes('s'),
    singleExp: s.includes('e'),
  }));

async function main() {
  const ctx = await getGpuContext({ dawnFlags: ['disable-dawn-features=timestamp_quantization'] });
  console.log(ctx.describe(), 'storage buffers', ctx.limits.maxStorageBuffersPerShaderStage);
  const rows: Record<string, unknown>[] = [];
  const kernels: ScanKernelVersion[] = [
    ...SCAN_KERNELS,
    ...CONFIGS.map(([c, k, s, n = 16]) =>
      chunkedKernel(`v2-${c}x${k}x${s}x${n}`, { channels: c, chunks: k, steps: s, tileStates: n }),
    ),
    ...V3_CONFIGS.map(({ name, sizes: [c, k, s, n], subgroups, singleExp }) =>
      subgroupScanKernel(`v3-${name}`, {
        channels: c!,
        chunks: k!,
        steps: s!,
        tileStates: n!,
        subgroups,
        singleExp,
      }),
    ),
  ];
  for (const [batch, dInner, seqLen, dState] of SHAPES) {
    const bdl = batch * dInner * seqLen;
    const up = (data: Float32Array, shape: number[]) => Tensor.fromArray(ctx, data, shape, 'f32');
    const A = new Float32Array(dInner * dState).map((_, i) => -((i % dState) + 1));
    const args = {
      u: up(fill(bdl, 1, -1, 1), [batch, dInner, seqLen]),
      delta: up(fill(bdl, 2, -4, 1), [batch, dInner, seqLen]),
      z: up(fill(bdl, 3, -2, 2), [batch, dInner, seqLen]),
      A: up(A, [dInner, dState]),
      B: up(fill(batch * dState * seqLen, 4, -1, 1), [batch, dState, seqLen]),
      C: up(fill(batch * dState * seqLen, 5, -1, 1), [batch, dState, seqLen]),
      D: up(fill(dInner, 6, 0, 1), [dInner]),
      deltaBias: up(fill(dInner, 7, -1, 0), [dInner]),
      deltaSoftplus: true,
    };
    // B/C as views of (batch, seqLen, dState) tensors; the model's layout: B/C in the rows of a
    // (batch, seqLen, 48 + 2*dState) x_proj output, u/z in a (batch, seqLen, 2*dInner) in_proj
    // output, delta and y token-major (the values differ from `args`: only times are compared).
    const bcTokens = [
      up(fill(batch * dState * seqLen, 4, -1, 1), [batch, seqLen, dState]),
      up(fill(batch * dState * seqLen, 5, -1, 1), [batch, seqLen, dState]),
    ];
    const width = 48 + 2 * dState;
    const bases = [
      up(fill(batch * seqLen * width, 4, -1, 1), [batch, seqLen, width]),
      up(fill(2 * bdl, 1, -1, 1), [batch, seqLen, 2 * dInner]),
      up(fill(bdl, 2, -4, 1), [batch, seqLen, dInner]),
      Tensor.empty(ctx, [batch, seqLen, dInner], 'f32'),
    ];
    const [xProjRows, xz, deltaTokens, yTokens] = bases.map((t) => t.transpose(1, 2)) as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ];
    const layouts: Record<string, SelectiveScanArgs> = {
      plain: args,
      'bc-tokens': { ...args, B: bcTokens[0]!.transpose(1, 2), C: bcTokens[1]!.transpose(1, 2) },
      model: {
        ...args,
        u: xz.slice(1, 0, dInner),
        z: xz.slice(1, dInner, 2 * dInner),
        delta: deltaTokens,
        B: xProjRows.slice(1, 48, 48 + dState),
        C: xProjRows.slice(1, 48 + dState, width),
        yOut: yTokens,
      },
    };
    const bytes = 4 * (4 * bdl + 2 * batch * dState * seqLen);
    const shape = `(${batch},${dInner},${seqLen},${dState})`;
    const y = Tensor.empty(ctx, [batch, dInner, seqLen], 'f32');
    const state = Tensor.empty(ctx, [batch, dInner, dState], 'f32');
    const copyBytes = Math.floor(bytes / 2 / 16) * 16;
    const src = Tensor.empty(ctx, [copyBytes / 4], 'f32');
    const dst = Tensor.empty(ctx, [copyBytes / 4], 'f32');
    // Warm the clocks up first (an idle H200 drops to 345 MHz between shapes).
    for (let i = 0; i < 300; i++) copyVec4(ctx, src.buffer, dst.buffer, copyBytes);
    await ctx.sync();
    const copy = await measure(ctx, () => copyVec4(ctx, src.buffer, dst.buffer, copyBytes), { samples: 10 });
    const copyMs = copy.median;
    const copyGbs = (2 * copyBytes) / copyMs / 1e6;
    console.log(`${shape} copy-vec4 ${copyMs.toFixed(4)} ms ${copyGbs.toFixed(0)} GB/s`);
    rows.push({ shape, name: 'copy-vec4', ms: copyMs, gbs: copyGbs });
    let v1Ms = Number.NaN;
    let reference: Float32Array | undefined;
    for (const kernel of kernels) {
      for (const layout of Object.keys(layouts)) {
        if (layout !== 'plain' && kernel.name !== 'v2-chunked' && kernel.name !== 'v3-subgroup-scan')
          continue;
        const problem = prepareScan(ctx, 'tune', {
          ...layouts[layout]!,
          lastStateOut: state,
          yOut: layouts[layout]!.yOut ?? y,
        });
        const reps = kernel.name === 'v1-sequential' ? 3 : 10;
        let ms: number;
        try {
          const timing = await measure(
            ctx,
            () => {
              const temps = kernel.record(problem);
              ctx.flush();
              for (const t of temps) t.dispose();
            },
            { samples: reps },
          );
          ms = timing.median;
        } catch (error) {
          console.log(`${shape} ${kernel.name} failed: ${(error as Error).message}`);
          continue;
        }
        let maxDiff = 0;
        if (layout === 'plain' && batch === 1) {
          const out = await y.read();
          if (!reference) reference = out;
          for (let i = 0; i < out.length; i += 97)
            maxDiff = Math.max(maxDiff, Math.abs(out[i]! - reference[i]!));
        }
        if (kernel.name === 'v1-sequential') v1Ms = ms;
        const gbs = bytes / ms / 1e6;
        const name = layout === 'plain' ? kernel.name : `${kernel.name}/${layout}`;
        const row = { shape, name, ms, gbs, pctCopy: (100 * gbs) / copyGbs, speedup: v1Ms / ms, maxDiff };
        rows.push(row);
        console.log(
          `${shape} ${name.padEnd(24)} ${ms.toFixed(4)} ms ${gbs.toFixed(0).padStart(5)} GB/s ${row.pctCopy.toFixed(1).padStart(5)}% copy x${row.speedup.toFixed(1)} diff ${maxDiff.toExponential(1)}`,
        );
      }
    }
    // Views hold their base's buffer: disposing every tensor made here (views included) frees all.
    for (const l of Object.values(layouts))
      for (const t of Object.values(l)) if (t instanceof Tensor) t.dispose();
    for (const t of [...bcTokens, ...bases, xProjRows, xz, deltaTokens, yTokens, y, state, src, dst])
      t.dispose();
    await ctx.sync();
  }
  writeFileSync(
    `${process.env.OUT ?? '.'}/tune-scan.json`,
    JSON.stringify({ adapter: ctx.describe(), rows }, null, 1),
  );
  process.exit(0);
}

void main();
