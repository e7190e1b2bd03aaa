// GPU tests of the global gradient norm and clip_grad_norm_: the norm against the float64
// reference over awkward sizes (and split bindings), bitwise determinism, in-place clipping as
// torch does it (only when the scale is below 1), the scale kept on the GPU, typed errors.

import { getGpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import {
  bitwiseEqual,
  disposeMap,
  hostValues,
  readAll,
  toFloat64,
  upload,
} from '../../../test/training/helpers.js';
import { clipGradNorm, GradNorm, gradNorm } from './grad-norm.js';
import { clipGradNormRef, gradNormRef } from './grad-norm-ref.js';

describe('gradNorm (GPU vs float64 reference)', () => {
  for (const maxBindingBytes of [undefined, 4096]) {
    it(`matches the reference within 1e-5 relative${maxBindingBytes ? ' with split bindings' : ''}`, async () => {
      const ctx = await getGpuContext();
      for (const seed of [1, 2, 3]) {
        const host = hostValues(seed);
        const grads = upload(ctx, host);
        using norm = gradNorm(grads, { maxNorm: 1, maxBindingBytes });
        const { norm: got, scale } = await norm.read();
        const expected = gradNormRef([...host.values()]);
        expect(Math.abs(got - expected) / expected).toBeLessThan(1e-5);
        expect(Math.abs(scale - 1 / (expected + 1e-6)) * expected).toBeLessThan(1e-5);
        disposeMap(grads);
      }
      await ctx.checkErrors();
    });
  }

  it('sums a single element, a list of tensors, and is bitwise deterministic', async () => {
    const ctx = await getGpuContext();
    using one = Tensor.fromArray(ctx, [-3], [1], 'f32');
    using single = gradNorm([one]);
    expect(await single.read()).toEqual({ norm: 3, scale: 1 });
    const grads = upload(ctx, hostValues(4));
    const bits = async () => {
      using n = gradNorm(grads);
      return new Float32Array([(await n.read()).norm]);
    };
    const first = await bits();
    for (let run = 0; run < 3; run++)
      expect(bitwiseEqual(new Map([['n', await bits()]]), new Map([['n', first]]))).toBe(true);
    disposeMap(grads);
  });
});

describe('clipGradNorm', () => {
  it('scales every gradient in place by maxNorm / (norm + 1e-6) and returns the pre-clip norm', async () => {
    const ctx = await getGpuContext();
    const host = hostValues(5);
    const grads = upload(ctx, host);
    using norm = clipGradNorm(grads, 0.5);
    const { norm: got, scale } = await norm.read();
    const ref = toFloat64(host);
    const expected = clipGradNormRef([...ref.values()], 0.5);
    expect(Math.abs(got - expected.norm) / expected.norm).toBeLessThan(1e-5);
    expect(Math.abs(scale - expected.scale) / expected.scale).toBeLessThan(1e-5);
    const scaled = new Map([...host].map(([name, g]) => [name, g.map((x) => x * scale)]));
    expect(bitwiseEqual(await readAll(grads), scaled)).toBe(true);
    using after = gradNorm(grads);
    expect((await after.read()).norm).toBeCloseTo(0.5, 5);
    disposeMap(grads);
  });

  it('leaves the gradients bitwise unchanged when the norm is under maxNorm', async () => {
    const ctx = await getGpuContext();
    const host = hostValues(6);
    const grads = upload(ctx, host);
    using norm = clipGradNorm(grads, 1e6);
    expect((await norm.read()).scale).toBe(1);
    expect(bitwiseEqual(await readAll(grads), host)).toBe(true);
    disposeMap(grads);
  });

  it('with inPlace false leaves the gradients alone and keeps the scale on the GPU', async () => {
    const ctx = await getGpuContext();
    const host = hostValues(7);
    const grads = upload(ctx, host);
    using norm = clipGradNorm(grads, 0.5, { inPlace: false });
    expect(norm).toBeInstanceOf(GradNorm);
    expect(norm.values.shape).toEqual([2]);
    expect(bitwiseEqual(await readAll(grads), host)).toBe(true);
    expect((await norm.read()).scale).toBeLessThan(1);
    disposeMap(grads);
  });

  it('refuses bad input with typed errors before any GPU work', async () => {
    const ctx = await getGpuContext();
    using g = Tensor.fromArray(ctx, [1, 2, 3, 4], [4], 'f32');
    using i32 = Tensor.fromArray(ctx, [1, 2], [2], 'i32');
    const before = ctx.dispatchCount;
    expect(() => clipGradNorm([g], Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => clipGradNorm([g], Number.NaN)).toThrow(
      /^clipGradNorm: maxNorm must be a number > 0, got NaN/,
    );
    expect(() => clipGradNorm([g], -1)).toThrow(/^clipGradNorm: maxNorm must be a number > 0, got -1/);
    expect(() => gradNorm([])).toThrow(/^gradNorm: grads must hold at least one gradient, got none/);
    expect(() => gradNorm({ w: i32 })).toThrow(/^gradNorm: grad w must be f32, got i32/);
    expect(() => gradNorm([g.view({ shape: [2], strides: [2] })])).toThrow(
      /^gradNorm: grad grads\[0\] must be contiguous/,
    );
    expect(ctx.dispatchCount).toBe(before);
  });
});
