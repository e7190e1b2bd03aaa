import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { roundThrough } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../../testing.js';
import { MATMUL_KERNELS, type MatmulKernel, matmul, pickMatmulKernel, splitK } from './matmul.js';
import { matmulRef } from './matmul-ref.js';

type WDType = 'f32' | 'f16' | 'bf16';

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
}

async function check(c: Case): Promise<void> {
  const ctx = await testContext();
  const { m, n, k, wDtype = 'f32' } = c;
  const batch = c.batch ?? 1;
  const rows = m * batch;
  const rng = new SeededRandom(m * 7919 + n * 31 + k);
  const xHost = rng.array(rows * k);
  const wHost = rng.array(n * k, () => rng.normal() / Math.sqrt(k));
  const bHost = c.bias ? rng.array(n) : undefined;
  const rHost = c.residual ? rng.array(rows * n) : undefined;
  const xShape = batch > 1 ? [batch, m, k] : [m, k];
  const outShape = batch > 1 ? [batch, m, n] : [m, n];
  using x = Tensor.fromArray(ctx, xHost, xShape, 'f32');
  using w = Tensor.fromArray(ctx, wHost, [n, k], wDtype);
  using bias = bHost ? Tensor.fromArray(ctx, bHost, [n], c.bias!) : undefined;
  using residual = rHost ? Tensor.fromArray(ctx, rHost, outShape, 'f32') : undefined;
  using out = Tensor.empty(ctx, outShape, 'f32').poison();
  matmul(x, w, {
    bias,
    residual,
    out,
    ...(c.kernel ? { kernel: c.kernel } : {}),
    ...(c.maxBindingBytes ? { maxBindingBytes: c.maxBindingBytes } : {}),
  });
  const wRounded = wDtype === 'f32' ? wHost : roundThrough(wHost, wDtype);
  const bRounded = bHost && c.bias !== 'f32' ? roundThrough(bHost, c.bias!) : bHost;
  const expected = matmulRef(xHost, wRounded, rows, n, k, bRounded, rHost);
  expectAllClose(await out.read(), expected, { ...TOLERANCES.f32, label: JSON.stringify(c) });
  await ctx.checkErrors();
}

describe('matmul (GPU vs CPU reference)', () => {
  const kernels = Object.keys(MATMUL_KERNELS) as MatmulKernel[];
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
    it(`${kernel} bias and fused residual, batched x`, () =>
      check({ m: 6, n: 70, k: 40, bias: 'f32', residual: true, batch: 3, kernel }));
    // Few tiles and k >= 2 * SPLIT_K_MIN_SLICE: the split-K kernels take their reduce pass.
    it(`${kernel} long K with few tiles (split-K path), bias and residual`, async () => {
      await check({ m: 40, n: 70, k: 300, bias: 'bf16', residual: true, kernel });
      await check({ m: 3, n: 9, k: 1030, wDtype: 'bf16', bias: 'f32', kernel });
    });
  }

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
      [2048, 1536, 48, 'gemm-v1'],
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
    expect(() => matmul(x, wi)).toThrow(/matmul: W must be f32 or f16 or bf16, got i32/);
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
