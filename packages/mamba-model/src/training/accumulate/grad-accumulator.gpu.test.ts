// GPU tests of gradient accumulation: k micro-batches against the f32 reference (bitwise for a
// power-of-two k, where 1/k is exact; within an ulp otherwise), split bindings, determinism,
// reuse across steps with flat live buffers, and typed errors.

import {
  getGpuContext,
  InvalidArgumentError,
  InvalidStateError,
  ShapeError,
  Tensor,
} from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import {
  bitwiseEqual,
  disposeMap,
  hostValues,
  PARAM_SHAPES,
  readAll,
  upload,
} from '../../../test/training/helpers.js';
import { GradAccumulator } from './grad-accumulator.js';
import { accumulateGradsRef } from './grad-accumulator-ref.js';

async function accumulate(k: number, seed: number, maxBindingBytes?: number) {
  const ctx = await getGpuContext();
  const params = upload(ctx, hostValues(1));
  using accumulator = new GradAccumulator(params, { microBatches: k, maxBindingBytes });
  const micro = Array.from({ length: k }, (_, i) => hostValues(seed + i));
  for (const host of micro) {
    const grads = upload(ctx, host);
    accumulator.add(grads);
    disposeMap(grads);
  }
  expect(accumulator.ready).toBe(true);
  const got = await readAll(accumulator.grads as Map<string, Tensor>);
  const expected = new Map(
    PARAM_SHAPES.map(([name]) => [name, accumulateGradsRef(micro.map((m) => m.get(name)!))]),
  );
  disposeMap(params);
  return { got, expected };
}

describe('GradAccumulator', () => {
  it('k = 4: bitwise equal to the reference (1/4 is exact)', async () => {
    const { got, expected } = await accumulate(4, 10);
    expect(bitwiseEqual(got, expected)).toBe(true);
  });

  it('k = 3 with split bindings: within an ulp of the reference, and deterministic', async () => {
    const first = await accumulate(3, 20, 4096);
    for (const [name, g] of first.got)
      expectAllClose(g, first.expected.get(name)!, { rtol: 2e-7, atol: 0, label: name });
    const second = await accumulate(3, 20);
    expect(bitwiseEqual(first.got, second.got)).toBe(true);
  });

  it('k = 1 copies the gradients; reset() starts over with the same buffers', async () => {
    const ctx = await getGpuContext();
    const params = upload(ctx, hostValues(1));
    using accumulator = new GradAccumulator(params, { microBatches: 1 });
    const before = ctx.stats().liveBuffers;
    for (let step = 0; step < 5; step++) {
      const host = hostValues(30 + step);
      const grads = upload(ctx, host);
      accumulator.reset();
      accumulator.add(grads);
      expect(bitwiseEqual(await readAll(accumulator.grads as Map<string, Tensor>), host)).toBe(true);
      disposeMap(grads);
      expect(ctx.stats().liveBuffers).toBe(before);
    }
    disposeMap(params);
  });

  it('refuses bad input with typed errors', async () => {
    const ctx = await getGpuContext();
    const params = upload(ctx, hostValues(1));
    const grads = upload(ctx, hostValues(2));
    expect(() => new GradAccumulator(params, { microBatches: 0 })).toThrow(InvalidArgumentError);
    expect(() => new GradAccumulator(params, { microBatches: 0 })).toThrow(
      /^GradAccumulator: microBatches must be an integer >= 1, got 0/,
    );
    const accumulator = new GradAccumulator(params, { microBatches: 1 });
    using wrong = Tensor.fromArray(ctx, new Float32Array(333), [333, 1], 'f32');
    expect(() => accumulator.add(new Map(grads).set('backbone.layers.0.mixer.D', wrong))).toThrow(ShapeError);
    accumulator.add(grads);
    expect(() => accumulator.add(grads)).toThrow(InvalidStateError);
    expect(() => accumulator.add(grads)).toThrow(/^GradAccumulator.add: all 1 micro-batches were added/);
    accumulator.dispose();
    expect(() => accumulator.add(grads)).toThrow(/disposed/);
    disposeMap(params);
    disposeMap(grads);
  });
});
