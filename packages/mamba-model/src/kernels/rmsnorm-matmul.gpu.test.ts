// Every version of RMS_NORM_MATMUL_KERNELS against the composed CPU reference (rmsNormRef then
// matmulRef) on awkward shapes: m 1/3/5 (two z-slices of rows at k 2048), k not a multiple of the
// workgroup and k long enough to shrink the slices, narrow and wide W, f32 and bf16 W, with a
// poisoned output; plus the typed errors of the boundary.
import { Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { roundThrough } from '@mamba-webgpu/tensor/internal';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { RMS_NORM_MATMUL_KERNELS, rmsNormMatmul } from './rmsnorm-matmul.js';
import { rmsNormMatmulRef } from './rmsnorm-matmul-ref.js';

describe('rmsNormMatmul versions vs CPU reference', () => {
  // m, k, n, W dtype
  const cases = [
    [1, 36, 7, 'f32'],
    [3, 64, 130, 'bf16'],
    [5, 20, 33, 'f32'],
    [3, 2048, 24, 'f32'],
  ] as const;
  for (const [m, k, n, dtype] of cases) {
    for (const kernel of RMS_NORM_MATMUL_KERNELS) {
      it(`${kernel.name} (${m}, ${k}) @ (${n}, ${k}) ${dtype}`, async () => {
        const ctx = await getGpuContext();
        const rng = new SeededRandom(m * 17 + k + n);
        const xHost = rng.array(m * k);
        const normHost = rng.array(k, () => rng.uniform(0.5, 1.5));
        const wHost = rng.array(n * k, () => rng.uniform(-1, 1) / Math.sqrt(k));
        using x = Tensor.fromArray(ctx, xHost, [m, k], 'f32');
        using norm = Tensor.fromArray(ctx, normHost, [k], 'f32');
        using w = Tensor.fromArray(ctx, wHost, [n, k], dtype);
        using out = Tensor.empty(ctx, [m, n], 'f32').poison();
        rmsNormMatmul(x, norm, w, { eps: 1e-5, out, kernel: kernel.name });
        const wValues = dtype === 'f32' ? wHost : roundThrough(wHost, dtype);
        const expected = rmsNormMatmulRef(xHost, normHost, wValues, m, n, k, 1e-5);
        expectAllClose(await out.read(), expected, { ...TOLERANCES.f32, label: `${kernel.name} out` });
        await ctx.checkErrors();
      });
    }
  }

  it('rejects bad shapes and eps with typed errors', async () => {
    const ctx = await getGpuContext();
    using x = Tensor.empty(ctx, [2, 8], 'f32');
    using norm = Tensor.empty(ctx, [8], 'f32');
    using w = Tensor.empty(ctx, [5, 8], 'f32');
    using wBad = Tensor.empty(ctx, [5, 7], 'f32');
    using out = Tensor.empty(ctx, [2, 4], 'f32');
    expect(() => rmsNormMatmul(x, norm, wBad, { eps: 1e-5 })).toThrow(
      'rmsNormMatmul: w must be (n, k) = (*, 8), got (5, 7)',
    );
    expect(() => rmsNormMatmul(x, norm, w, { eps: 1e-5, out })).toThrow(
      'rmsNormMatmul: out must be (m, n) = (2, 5), got (2, 4)',
    );
    expect(() => rmsNormMatmul(x, norm, w, { eps: -1 })).toThrow(
      'rmsNormMatmul: eps must be a number >= 0, got -1',
    );
  });
});
