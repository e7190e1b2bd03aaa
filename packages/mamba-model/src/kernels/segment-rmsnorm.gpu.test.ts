// Every version of SEGMENT_RMS_NORM_KERNELS against the CPU reference on awkward shapes: one row
// and many (2049, more than one workgroup of items), one segment and four, segments of width 1,
// FalconMamba's [dtRank, dState, dState] at several sizes, a 3-d x, a strided x (a column slice),
// rows split over binding windows, a caller's out, with poisoned outputs; plus the typed errors.
import { Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { SEGMENT_RMS_NORM_KERNELS, segmentRmsNorm } from './segment-rmsnorm.js';
import { segmentRmsNormRef } from './segment-rmsnorm-ref.js';

describe('segmentRmsNorm versions vs CPU reference', () => {
  // rows, segments, eps
  const cases: [number, number[], number][] = [
    [1, [8, 16, 16], 1e-6],
    [3, [1], 1e-5],
    [5, [1, 1, 1, 1], 1e-6],
    [37, [4, 16, 16], 1e-6],
    [333, [48, 16, 16], 1e-3],
    [2049, [256, 16, 16], 1e-6],
    [7, [129], 0],
  ];
  for (const [rows, segments, eps] of cases) {
    for (const kernel of SEGMENT_RMS_NORM_KERNELS) {
      it(`${kernel.name} rows ${rows}, segments [${segments}], eps ${eps}`, async () => {
        const ctx = await getGpuContext();
        const width = segments.reduce((a, b) => a + b, 0);
        const rng = new SeededRandom(rows * 31 + width);
        // Rows of very different scales: the norm must not depend on it.
        const xHost = rng.array(rows * width, () => rng.normal() * 10 ** rng.uniform(-3, 2));
        using x = Tensor.fromArray(ctx, xHost, [rows, width], 'f32');
        using out = Tensor.empty(ctx, [rows, width], 'f32').poison();
        segmentRmsNorm(x, segments, { eps, out, kernel: kernel.name });
        const label = `${kernel.name} (${rows}, [${segments}])`;
        expectAllClose(await out.read(), segmentRmsNormRef(xHost, segments, eps), {
          ...TOLERANCES.f32,
          label,
        });
        await ctx.checkErrors();
      });
    }
  }

  for (const kernel of SEGMENT_RMS_NORM_KERNELS) {
    it(`${kernel.name}: 3-d x, a strided column slice, row windows, zero rows`, async () => {
      const ctx = await getGpuContext();
      const rng = new SeededRandom(7);
      const segments = [3, 5, 5];
      const [batch, seqLen, width, padded] = [2, 19, 13, 17];
      const wideHost = rng.array(batch * seqLen * padded);
      for (let i = 0; i < padded; i++) wideHost[i] = 0; // an all-zero row: 0 * rsqrt(eps) = 0
      using wide = Tensor.fromArray(ctx, wideHost, [batch, seqLen, padded], 'f32');
      using x = wide.slice(2, 2, 2 + width); // strided: rows of 13 within rows of 17
      const xHost = new Float32Array(batch * seqLen * width);
      for (let r = 0; r < batch * seqLen; r++) {
        xHost.set(wideHost.subarray(r * padded + 2, r * padded + 2 + width), r * width);
      }
      const want = segmentRmsNormRef(xHost, segments, 1e-6);
      using got = segmentRmsNorm(x, segments, { eps: 1e-6, kernel: kernel.name });
      expect(got.shape).toEqual([batch, seqLen, width]);
      expectAllClose(await got.read(), want, { ...TOLERANCES.f32, label: 'strided 3-d' });
      // A 512-byte binding budget: a few rows of 52 bytes per window, so many dispatches.
      using windowed = Tensor.empty(ctx, [batch, seqLen, width], 'f32').poison();
      segmentRmsNorm(x, segments, { eps: 1e-6, out: windowed, kernel: kernel.name, maxBindingBytes: 512 });
      expectAllClose(await windowed.read(), want, { ...TOLERANCES.f32, label: 'windowed' });
      await ctx.checkErrors();
    });
  }

  it('rejects bad segments, eps, out and kernel names with typed errors; leaks nothing', async () => {
    const ctx = await getGpuContext();
    using x = Tensor.empty(ctx, [2, 8], 'f32');
    using outBad = Tensor.empty(ctx, [2, 7], 'f32');
    expect(() => segmentRmsNorm(x, [4, 3], { eps: 1e-6 })).toThrow(
      "segmentRmsNorm: segments must sum to x's last dim 8, got [4, 3] (sum 7)",
    );
    expect(() => segmentRmsNorm(x, [2, 2, 2, 1, 1], { eps: 1e-6 })).toThrow(
      'segmentRmsNorm: segments must be 1 to 4 positive integer widths, got [2, 2, 2, 1, 1]',
    );
    expect(() => segmentRmsNorm(x, [8, 0], { eps: 1e-6 })).toThrow(/positive integer widths/);
    expect(() => segmentRmsNorm(x, [8], { eps: -1 })).toThrow(
      'segmentRmsNorm: eps must be a finite number >= 0, got -1',
    );
    expect(() => segmentRmsNorm(x, [8], { eps: 1e-6, out: outBad })).toThrow(/segmentRmsNorm: out must be/);
    expect(() => segmentRmsNorm(x, [8], { eps: 1e-6, out: x })).toThrow(
      'segmentRmsNorm: out must not share memory with x',
    );
    const before = ctx.stats().liveBuffers;
    expect(() => segmentRmsNorm(x, [8], { eps: 1e-6, kernel: 'v9' })).toThrow(/no kernel named v9/);
    segmentRmsNorm(x, [2, 6], { eps: 1e-6 }).dispose();
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
  });
});
