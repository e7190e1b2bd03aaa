import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import type { GpuContext } from '../../device/context.js';
import { roundThrough } from '../../tensor/dtype.js';
import { roundThroughQuantized } from '../../tensor/quant.js';
import { gatherLayout } from '../../tensor/layout.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../../testing.js';
import { MATMUL_KERNELS, type MatmulKernel, matmul, pickMatmulKernel, splitK } from './matmul.js';
import { matmulRef } from './matmul-ref.js';

type WDType = 'f32' | 'f16' | 'bf16' | 'q8' | 'q4';

/** The values a W of `dtype` holds after upload (rounded or quantized as the GPU reads them). */
function stored(values: Float32Array, dtype: WDType): Float32Array {
  if (dtype === 'f32') return values;
  return dtype === 'q8' || dtype === 'q4'
    ? roundThroughQuantized(values, dtype)
    : roundThrough(values, dtype);
}

/**
 * How an operand of logical shape (rows, k) is laid out: `plain` row-major; `transposed` the
 * transpose of a (k, rows) tensor (strides (1, rows)); `rows` rows [2, rows + 2) of a
 * (rows + 2, k) tensor (an offset); `columns` columns [1, k + 1) of a (rows, k + 3) tensor (a row
 * stride of k + 3).
 */
type Layout = 'plain' | 'transposed' | 'rows' | 'columns';

interface Case {
  m: number;
  n: number;
  k: number;
  wDtype?: WDType;
  bias?: WDType;
  residual?: boolean;
  kernel?: MatmulKernel;
  maxBindingBytes?: number;
  batch?: number;
  xLayout?: Layout;
  wLayout?: Layout;
}

/** A (rows, k) operand in `layout`: the view (the caller disposes both) and its logical values. */
function operand(
  ctx: GpuContext,
  rng: SeededRandom,
  rows: number,
  k: number,
  layout: Layout,
  dtype: WDType,
  scale = 1,
): { base: Tensor; view: Tensor; values: Float32Array } {
  const baseShape = {
    plain: [rows, k],
    transposed: [k, rows],
    rows: [rows + 2, k],
    columns: [rows, k + 3],
  }[layout];
  const host = rng.array(baseShape[0]! * baseShape[1]!, () => rng.normal() * scale);
  const base = Tensor.fromArray(ctx, host, baseShape, dtype);
  const view = {
    plain: () => base.reshape(baseShape),
    transposed: () => base.transpose(0, 1),
    rows: () => base.slice(0, 2, rows + 2),
    columns: () => base.slice(1, 1, k + 1),
  }[layout]();
  return { base, view, values: gatherLayout(stored(host, dtype), view) };
}

async function check(c: Case): Promise<void> {
  const ctx = await testContext();
  const { m, n, k, wDtype = 'f32' } = c;
  const batch = c.batch ?? 1;
  const rows = m * batch;
  const rng = new SeededRandom(m * 7919 + n * 31 + k);
  const xs = operand(ctx, rng, rows, k, c.xLayout ?? 'plain', 'f32');
  const ws = operand(ctx, rng, n, k, c.wLayout ?? 'plain', wDtype, 1 / Math.sqrt(k));
  const bHost = c.bias ? rng.array(n) : undefined;
  const rHost = c.residual ? rng.array(rows * n) : undefined;
  const outShape = batch > 1 ? [batch, m, n] : [m, n];
  // Batched x: (batch, m, k) over a plain (rows, k) operand.
  using x = batch > 1 ? xs.view.reshape([batch, m, k]) : undefined;
  using bias = bHost ? Tensor.fromArray(ctx, bHost, [n], c.bias!) : undefined;
  using residual = rHost ? Tensor.fromArray(ctx, rHost, outShape, 'f32') : undefined;
  using out = Tensor.empty(ctx, outShape, 'f32').poison();
  matmul(x ?? xs.view, ws.view, {
    bias,
    residual,
    out,
    ...(c.kernel ? { kernel: c.kernel } : {}),
    ...(c.maxBindingBytes ? { maxBindingBytes: c.maxBindingBytes } : {}),
  });
  const bRounded = bHost && c.bias ? stored(bHost, c.bias) : bHost;
  const expected = matmulRef(xs.values, ws.values, rows, n, k, bRounded, rHost);
  expectAllClose(await out.read(), expected, { ...TOLERANCES.f32, label: JSON.stringify(c) });
  disposeAll(xs.view, xs.base, ws.view, ws.base);
  await ctx.checkErrors();
}

describe('matmul (GPU vs CPU reference)', () => {
  const kernels = MATMUL_KERNELS.map((v) => v.name);
  for (const kernel of kernels) {
    for (const [m, n, k] of [
      [1, 1, 1],
      [1, 7, 33],
      [3, 33, 8],
      [7, 257, 36],
      [17, 65, 100],
      [33, 130, 257],
      [70, 96, 64],
    ] as const) {
      it(`${kernel} m=${m} n=${n} k=${k}`, () => check({ m, n, k, kernel }));
    }
    for (const wDtype of ['f16', 'bf16'] as const) {
      it(`${kernel} packed W ${wDtype}, odd and vector K`, async () => {
        await check({ m: 5, n: 37, k: 33, wDtype, kernel });
        await check({ m: 9, n: 37, k: 48, wDtype, kernel, bias: wDtype });
      });
    }
    for (const wDtype of ['q8', 'q4'] as const) {
      // The reference is dequantize-then-matmul: the quantized values in f32, the same products.
      it(`${kernel} quantized W ${wDtype}: odd K (blocks across rows), vector K, views, binding splits`, async () => {
        await check({ m: 5, n: 37, k: 33, wDtype, kernel });
        await check({ m: 9, n: 37, k: 48, wDtype, kernel, bias: 'f32', residual: true });
        await check({ m: 64, n: 70, k: 300, wDtype, kernel });
        await check({ m: 7, n: 37, k: 333, wDtype, kernel, wLayout: 'transposed' });
        await check({ m: 9, n: 37, k: 48, wDtype, kernel, xLayout: 'columns', wLayout: 'rows' });
        await check({ m: 40, n: 130, k: 64, wDtype, kernel, maxBindingBytes: 4096 });
      });
    }
    it(`${kernel} bias and fused residual, batched x`, () =>
      check({ m: 6, n: 70, k: 40, bias: 'f32', residual: true, batch: 3, kernel }));
    // Few tiles and k >= 2 * SPLIT_K_MIN_SLICE: the split-K kernels take their reduce pass.
    it(`${kernel} long K with few tiles (split-K path), bias and residual`, async () => {
      await check({ m: 40, n: 70, k: 300, bias: 'bf16', residual: true, kernel });
      await check({ m: 3, n: 9, k: 1030, wDtype: 'bf16', bias: 'f32', kernel });
    });
    // Strided operands: read in place where the version supports them, else copied first.
    const layouts: [Layout, Layout][] = [
      ['transposed', 'plain'],
      ['plain', 'transposed'],
      ['transposed', 'transposed'],
      ['rows', 'columns'],
      ['columns', 'rows'],
    ];
    for (const [m, n, k] of [
      [1, 7, 37],
      [7, 37, 333],
      [37, 333, 7],
      [333, 1, 37],
    ] as const) {
      it(`${kernel} views m=${m} n=${n} k=${k}: transposed, row-sliced and column-sliced x and W`, async () => {
        for (const [xLayout, wLayout] of layouts) await check({ m, n, k, kernel, xLayout, wLayout });
      });
    }
    it(`${kernel} views with bias, residual, packed W and binding splits`, async () => {
      await check({ m: 37, n: 70, k: 300, kernel, xLayout: 'transposed', bias: 'bf16', residual: true });
      await check({ m: 9, n: 37, k: 48, kernel, xLayout: 'columns', wLayout: 'rows', wDtype: 'bf16' });
      await check({
        m: 21,
        n: 57,
        k: 33,
        kernel,
        xLayout: 'transposed',
        wLayout: 'transposed',
        maxBindingBytes: 1024,
      });
    });
  }

  it('the training products dX = dY @ W and dW = dY^T @ X read transposed operands in place', async () => {
    const ctx = await testContext();
    const [tokens, dIn, dOut] = [37, 33, 70];
    const rng = new SeededRandom(3);
    const [xHost, wHost, dyHost] = [rng.array(tokens * dIn), rng.array(dOut * dIn), rng.array(tokens * dOut)];
    using x = Tensor.fromArray(ctx, xHost, [tokens, dIn], 'f32');
    using w = Tensor.fromArray(ctx, wHost, [dOut, dIn], 'f32');
    using dy = Tensor.fromArray(ctx, dyHost, [tokens, dOut], 'f32');
    using wT = w.transpose(0, 1);
    using dyT = dy.transpose(0, 1);
    using xT = x.transpose(0, 1);
    const before = ctx.dispatchCount;
    // dX (tokens, dIn) = dY (tokens, dOut) @ W (dOut, dIn) = matmul(dY, W^T).
    using dx = matmul(dy, wT, { kernel: 'gemm-v1' });
    // dW (dOut, dIn) = dY^T (dOut, tokens) @ X (tokens, dIn) = matmul(dY^T, X^T).
    using dw = matmul(dyT, xT, { kernel: 'gemm-v1' });
    expect(ctx.dispatchCount - before).toBe(2); // one GEMM each, no copies
    const wTHost = gatherLayout(wHost, wT);
    const dyTHost = gatherLayout(dyHost, dyT);
    const xTHost = gatherLayout(xHost, xT);
    expectAllClose(await dx.read(), matmulRef(dyHost, wTHost, tokens, dIn, dOut), TOLERANCES.f32);
    expectAllClose(await dw.read(), matmulRef(dyTHost, xTHost, dOut, dIn, tokens), TOLERANCES.f32);
    // gemv-v1 reads K-contiguous operands only: a transposed W is copied first (one more dispatch).
    const gemvBefore = ctx.dispatchCount;
    using dx1 = matmul(dy.slice(0, 0, 1), wT, { kernel: 'gemv-v1' });
    expect(ctx.dispatchCount - gemvBefore).toBe(2);
    expectAllClose(
      await dx1.read(),
      matmulRef(dyHost.subarray(0, dOut), wTHost, 1, dIn, dOut),
      TOLERANCES.f32,
    );
    await ctx.checkErrors();
  });

  it('leading dims of x that do not merge into one row stride go through a copy', async () => {
    const ctx = await testContext();
    const [b, t, k, n] = [2, 5, 12, 9];
    const rng = new SeededRandom(4);
    const [xHost, wHost] = [rng.array(b * t * k), rng.array(n * k)];
    using base = Tensor.fromArray(ctx, xHost, [b, t, k], 'f32');
    using x = base.transpose(0, 1); // (t, b, k), strides (k, t * k, 1)
    using w = Tensor.fromArray(ctx, wHost, [n, k], 'f32');
    using y = matmul(x, w);
    expect(y.shape).toEqual([t, b, n]);
    expectAllClose(await y.read(), matmulRef(gatherLayout(xHost, x), wHost, t * b, n, k), TOLERANCES.f32);
  });

  it('every automatic pick is an automatic version; names are unique', () => {
    const names = MATMUL_KERNELS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [m, n, k] of [
      [1, 3072, 768],
      [64, 3072, 768],
      [512, 3072, 768],
      [64, 80, 1536],
    ] as const) {
      expect(MATMUL_KERNELS.find((v) => v.name === pickMatmulKernel(m, n, k))?.automatic).toBe(true);
    }
  });

  it('auto kernel choice at the decode and prefill shapes', async () => {
    await check({ m: 1, n: 1000, k: 128, wDtype: 'bf16' });
    await check({ m: 64, n: 1030, k: 128, bias: 'bf16', residual: true });
  });

  it('splits W over output rows and x/out over rows past the binding budget', async () => {
    for (const kernel of kernels) {
      // k = 33 f32: rows of 132 bytes, windows start at unaligned rows (offset carried in params).
      await check({ m: 21, n: 57, k: 33, kernel, bias: 'f32', residual: true, maxBindingBytes: 1024 });
      // Packed W with vector loads: 2 x 24 rows of 48 bf16 per 3 KiB window.
      await check({ m: 40, n: 130, k: 48, wDtype: 'bf16', kernel, maxBindingBytes: 3072 });
      await check({ m: 3, n: 130, k: 52, wDtype: 'f16', kernel, maxBindingBytes: 2048 });
      // Split-K per chunk, its workspace capped by the budget too.
      await check({ m: 21, n: 57, k: 260, kernel, bias: 'f32', residual: true, maxBindingBytes: 8192 });
    }
  });

  it('splits K into slices of whole K tiles, enough for two waves', () => {
    expect(splitK(48, 768)).toEqual({ splits: 6, kSlice: 128 });
    expect(splitK(12, 1536)).toEqual({ splits: 20, kSlice: 80 });
    expect(splitK(300, 768)).toEqual({ splits: 1, kSlice: 768 });
    expect(splitK(4, 100)).toEqual({ splits: 1, kSlice: 100 });
    expect(splitK(3, 257)).toEqual({ splits: 4, kSlice: 80 });
    expect(splitK(3, 1024, 2)).toEqual({ splits: 2, kSlice: 512 });
  });

  it('picks the kernels measured fastest on an H200 for the Mamba-130m projections', () => {
    // [m, n, k] -> kernel (docs/perf-notes.md, "Matmul (tensor)").
    const picks: [number, number, number, MatmulKernel][] = [
      [1, 3072, 768, 'gemv-v1'],
      [1, 50280, 768, 'gemv-v1'],
      [1, 768, 1536, 'gemv-v2'],
      // mamba-2.8b at batch 1: out_proj and the LM head on gemv-v2, dt_proj (K 160) on gemv-v1.
      [1, 2560, 5120, 'gemv-v2'],
      [1, 50280, 2560, 'gemv-v2'],
      [1, 5120, 160, 'gemv-v1'],
      [8, 768, 1536, 'gemv-v1'],
      [32, 768, 1536, 'gemv-v1'],
      [64, 3072, 768, 'gemm-splitk-v1'],
      [64, 768, 1536, 'gemm-splitk-v1'],
      [64, 80, 1536, 'gemv-v1'],
      [64, 1536, 48, 'gemm-v1'],
      [256, 3072, 768, 'gemm-splitk-v1'],
      [512, 3072, 768, 'gemm-v1'],
      [1024, 768, 1536, 'gemm-splitk-v1'],
      [2048, 768, 1536, 'gemm-v1'],
      [512, 80, 1536, 'gemv-v1'],
      [1024, 80, 1536, 'gemm-splitk-v1'],
      [2048, 1536, 48, 'gemm-v3'],
      [1024, 3072, 768, 'gemm-v3'],
      [2048, 3072, 768, 'gemm-v3'],
      // A training step at 16384 tokens: forward and dX on gemm-v3, dW (K = tokens) double-buffered.
      [16384, 768, 1536, 'gemm-v3'],
      [16384, 1536, 768, 'gemm-v3'],
      [3072, 768, 16384, 'gemm-splitk-v1'],
      [768, 1536, 16384, 'gemm-splitk-v1'],
      [2048, 50280, 768, 'gemm-v3'],
      // The LM head at decode batch 64: fewer rows than gemm-v3's 128-row tile, so gemm-v1.
      [64, 50280, 768, 'gemm-v1'],
    ];
    for (const [m, n, k, kernel] of picks)
      expect([m, n, k, pickMatmulKernel(m, n, k)]).toEqual([m, n, k, kernel]);
  });

  it('validates shapes and dtypes with typed errors', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, new Float32Array(6), [2, 3], 'f32');
    using w = Tensor.fromArray(ctx, new Float32Array(6), [3, 2], 'f32');
    expect(() => matmul(x, w)).toThrow(/matmul: W must be \(out, in\) = \(\*, 3\), got \(3, 2\)/);
    using wi = Tensor.fromArray(ctx, [1, 2, 3], [1, 3], 'i32');
    expect(() => matmul(x, wi)).toThrow(/matmul: W must be f32 or f16 or bf16 or q8 or q4, got i32/);
    using w2 = Tensor.fromArray(ctx, new Float32Array(12), [4, 3], 'f32');
    using badOut = Tensor.empty(ctx, [2, 3], 'f32');
    expect(() => matmul(x, w2, { out: badOut })).toThrow(/matmul: out must be \(\.\.\., out\) = \(2, 4\)/);
  });

  it('leaves no live buffers after disposing its outputs', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, new SeededRandom(1).array(40 * 64), [40, 64], 'f32');
    using w = Tensor.fromArray(ctx, new SeededRandom(2).array(96 * 64), [96, 64], 'bf16');
    const before = ctx.stats().liveBuffers;
    for (let i = 0; i < 5; i++) {
      matmul(x, w).dispose();
      matmul(x.reshape([40, 64]), w, { maxBindingBytes: 2048 }).dispose();
    }
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
  });
});
