import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../../testing.js';
import { logSoftmax, softmax } from './softmax.js';
import { softmaxRef } from './softmax-ref.js';

describe('softmax / logSoftmax (GPU vs CPU reference)', () => {
  for (const [rows, dim] of [
    [1, 1],
    [7, 7],
    [3, 33],
    [33, 257],
    [2, 1000],
    [2, 50280],
  ] as const) {
    it(`rows=${rows} dim=${dim}`, async () => {
      const ctx = await testContext();
      const rng = new SeededRandom(rows * 7 + dim);
      // Large logits: a naive exp would overflow.
      const host = rng.array(rows * dim, () => rng.normal() * 30 + 100);
      using x = Tensor.fromArray(ctx, host, [rows, dim], 'f32');
      using p = softmax(x);
      using lp = logSoftmax(x);
      expectAllClose(await p.read(), softmaxRef(host, dim), { rtol: 1e-4, atol: 1e-7, label: 'softmax' });
      expectAllClose(await lp.read(), softmaxRef(host, dim, true), {
        ...TOLERANCES.f32,
        label: 'logSoftmax',
      });
    });
  }

  it('splits rows into binding-sized chunks', async () => {
    const ctx = await testContext();
    const host = new SeededRandom(2).array(37 * 33);
    using x = Tensor.fromArray(ctx, host, [37, 33], 'f32');
    using lp = logSoftmax(x, { maxBindingBytes: 1024 });
    expectAllClose(await lp.read(), softmaxRef(host, 33, true), TOLERANCES.f32);
  });

  it('rejects non-f32 input', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, [1, 2], [2], 'i32');
    expect(() => softmax(x)).toThrow(/softmax: x must be f32, got i32/);
  });
});
