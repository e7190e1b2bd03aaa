// Times every registered matmul kernel (and the `auto` pick) on the Mamba-130m projection
// shapes, prefill and decode, by GPU timestamps; prints a table and writes JSON to $OUT.
// Run: `pnpm tune:matmul` (bundles to apps/bench/.bench-out/tune-matmul.mjs; see the README).

import { writeFileSync } from 'node:fs';
import { type GpuContext, getGpuContext } from '../src/index.js';
import { copyVec4, measure } from '../src/internal.js';
import { MATMUL_KERNELS, type MatmulKernel, matmul, pickMatmulKernel } from '../src/ops/matmul/matmul.js';
import { Tensor } from '../src/tensor/tensor.js';
import { SeededRandom } from '../src/testing.js';

type WDType = 'f32' | 'bf16';
interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  w: WDType;
  /** x / W passed as transposed views (a backward's operands): stride 1 along m / n, not k. */
  xT?: boolean;
  wT?: boolean;
}

/**
 * TUNE_SHAPES=train: the GEMMs of a mamba-130m training step at batch 8 x 2048 (16384 tokens),
 * forward, dX = dY @ W (W transposed) and dW = dY^T @ X (both transposed), and one LM-head chunk.
 */
function trainingShapes(): Shape[] {
  const T = 16384;
  return [
    { name: 'in_proj fwd', m: T, n: 3072, k: 768, w: 'f32' },
    { name: 'out_proj fwd', m: T, n: 768, k: 1536, w: 'f32' },
    { name: 'in_proj dX', m: T, n: 768, k: 3072, w: 'f32', wT: true },
    { name: 'out_proj dX', m: T, n: 1536, k: 768, w: 'f32', wT: true },
    { name: 'in_proj dW', m: 3072, n: 768, k: T, w: 'f32', xT: true, wT: true },
    { name: 'out_proj dW', m: 768, n: 1536, k: T, w: 'f32', xT: true, wT: true },
    { name: 'lm_head fwd', m: 2048, n: 50280, k: 768, w: 'f32' },
    { name: 'lm_head dE', m: 50280, n: 768, k: 2048, w: 'f32', xT: true, wT: true },
  ];
}

/** An (rows, k) operand: plain, or the transpose of a (k, rows) tensor. */
function operand(
  ctx: GpuContext,
  data: Float32Array,
  rows: number,
  k: number,
  transposed: boolean,
  dtype: WDType,
) {
  if (!transposed) return Tensor.fromArray(ctx, data, [rows, k], dtype);
  using base = Tensor.fromArray(ctx, data, [k, rows], dtype);
  return base.transpose(0, 1);
}

const PROJECTIONS = [
  ['in_proj', 3072, 768],
  ['out_proj', 768, 1536],
  ['x_proj', 80, 1536],
  ['dt_proj', 1536, 48],
] as const;

function shapes(): Shape[] {
  const list: Shape[] = [];
  for (const m of [256, 512, 1024, 2048]) {
    for (const [name, n, k] of PROJECTIONS) list.push({ name, m, n, k, w: 'f32' });
  }
  for (const m of [256, 2048]) {
    for (const [name, n, k] of PROJECTIONS.slice(0, 2)) list.push({ name, m, n, k, w: 'bf16' });
  }
  for (const w of ['f32', 'bf16'] as const) {
    for (const [name, n, k] of PROJECTIONS) list.push({ name, m: 64, n, k, w });
    for (const [name, n, k] of PROJECTIONS.slice(0, 2)) list.push({ name, m: 32, n, k, w });
  }
  return list;
}

async function main(): Promise<void> {
  const ctx = await getGpuContext();
  console.log(ctx.describe());
  {
    // An idle GPU drops its clocks: keep it busy with big copies first.
    const bytes = 64 << 20;
    using src = Tensor.empty(ctx, [bytes / 4], 'f32');
    using dst = Tensor.empty(ctx, [bytes / 4], 'f32');
    const end = performance.now() + 600;
    while (performance.now() < end) {
      for (let i = 0; i < 20; i++) copyVec4(ctx, src.buffer, dst.buffer, bytes);
      await ctx.sync();
    }
  }
  const WARM_BYTES = 64 << 20;
  const REPEAT = 10;
  using warmSrc = Tensor.empty(ctx, [WARM_BYTES / 4], 'f32');
  using warmDst = Tensor.empty(ctx, [WARM_BYTES / 4], 'f32');
  const training = process.env.TUNE_SHAPES === 'train';
  // Training shapes: the tiled GEMMs only (the GEMV and v2 split-K are far off at these sizes).
  const skip = new Set<MatmulKernel>(training ? ['gemv-v1', 'gemm-v2-splitk'] : []);
  const kernels = [
    ...MATMUL_KERNELS.map((v): MatmulKernel => v.name).filter((k) => !skip.has(k)),
    'auto' as const,
  ];
  const rows: Record<string, unknown>[] = [];
  const rng = new SeededRandom(7);
  console.log(
    `shape                      W    | ${kernels.map((k) => k.padStart(14)).join(' ')} | best   (us, errors vs gemm-v1)`,
  );
  // TUNE_SMOKE=1: one small shape, to check the script on a slow adapter.
  const list = process.env.TUNE_SMOKE
    ? [{ name: 'x_proj', m: 64, n: 80, k: 1536, w: 'bf16' as const }]
    : training
      ? trainingShapes()
      : shapes();
  for (const s of list) {
    using x = operand(ctx, rng.array(s.m * s.k), s.m, s.k, s.xT === true, 'f32');
    using w = operand(
      ctx,
      rng.array(s.n * s.k, () => rng.normal() / Math.sqrt(s.k)),
      s.n,
      s.k,
      s.wT === true,
      s.w,
    );
    using out = Tensor.empty(ctx, [s.m, s.n], 'f32');
    using ref = Tensor.empty(ctx, [s.m, s.n], 'f32');
    matmul(x, w, { out: ref, kernel: 'gemm-v1' });
    const expected = await ref.read();
    const times: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const kernel of kernels) {
      const opts = kernel === 'auto' ? { out } : { out, kernel };
      out.poison();
      matmul(x, w, opts);
      const got = await out.read();
      let err = 0;
      for (let i = 0; i < got.length; i++)
        err = Math.max(err, Math.abs(got[i]! - expected[i]!) || (Number.isNaN(got[i]!) ? 1e9 : 0));
      errors[kernel] = err;
      // Each sample: ~0.7 ms of copies first (an H200 drops its clocks within the readback gaps),
      // then REPEAT back-to-back calls in one timed pass.
      const m = await measure(ctx, () => matmul(x, w, opts), {
        warmup: 2,
        samples: 9,
        repeat: REPEAT,
        beforeSample: () => {
          for (let i = 0; i < 20; i++) copyVec4(ctx, warmSrc.buffer, warmDst.buffer, WARM_BYTES);
        },
      });
      times[kernel] = m.median * 1000;
    }
    const named = kernels.filter((k) => k !== 'auto');
    const best = named.reduce((a, b) => (times[a]! <= times[b]! ? a : b));
    const gflop = (2 * s.m * s.n * s.k) / 1e9;
    const rate = (k: string) => `${((gflop * 1e3) / times[k]!).toFixed(1)} TF/s`; // times in µs
    const label = `${s.name} ${s.m}x${s.k}${s.xT ? 'T' : ''} @ ${s.n}x${s.k}${s.wT ? 'T' : ''}`.padEnd(26);
    const bad = Object.entries(errors).filter(([, e]) => e > 1e-3);
    console.log(
      `${label} ${s.w.padEnd(4)} | ${kernels.map((k) => times[k]!.toFixed(1).padStart(14)).join(' ')} | ${best} ${rate(best)} auto=${pickMatmulKernel(s.m, s.n, s.k)}${bad.length ? ` ERR ${JSON.stringify(bad)}` : ''}`,
    );
    rows.push({ ...s, times, errors, best });
  }
  if (process.env.OUT)
    writeFileSync(
      `${process.env.OUT}/tune-matmul${training ? '-train' : ''}.json`,
      JSON.stringify(rows, null, 1),
    );
  ctx.dispose();
}

await main();
