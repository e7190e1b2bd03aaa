import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom } from '../../testing.js';
import { argmax } from './argmax.js';
import { argmaxRef } from './argmax-ref.js';

describe('argmax (GPU vs CPU reference)', () => {
  for (const [rows, dim] of [
    [1, 1],
    [7, 7],
    [3, 33],
    [33, 257],
    [2, 1000],
    [3, 50280],
  ] as const) {
    it(`rows=${rows} dim=${dim}`, async () => {
      const ctx = await testContext();
      const rng = new SeededRandom(rows * 17 + dim);
      // Quantized values so ties happen; the first index must win.
      const host = rng.array(rows * dim, () => Math.round(rng.normal() * 4));
      using x = Tensor.fromArray(ctx, host, [rows, dim], 'f32');
      using out = argmax(x);
      expect(out.shape).toEqual([rows]);
      expect(Array.from(await out.read())).toEqual(Array.from(argmaxRef(host, dim)));
    });
  }

  it('takes the first index on ties and handles -inf rows and chunked rows', async () => {
    const ctx = await testContext();
    const host = new Float32Array([1, 5, 5, 2, -Infinity, -Infinity, -Infinity, -Infinity, 0, 0, 0, 0]);
    using x = Tensor.fromArray(ctx, host, [3, 4], 'f32');
    using out = argmax(x, { maxBindingBytes: 512 });
    expect(Array.from(await out.read())).toEqual([1, 0, 0]);
    const rng = new SeededRandom(9);
    const many = rng.array(70 * 41);
    using y = Tensor.fromArray(ctx, many, [70, 41], 'f32');
    using outY = argmax(y, { maxBindingBytes: 1024 });
    expect(Array.from(await outY.read())).toEqual(Array.from(argmaxRef(many, 41)));
  });
});
