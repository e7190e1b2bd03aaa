import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { SeededRandom, expectAllClose } from '../../testing.js';
import { Tensor } from '../../tensor/tensor.js';
import { type UnaryOp, unary } from './unary.js';
import { unaryRef } from './unary-ref.js';

describe('unary ops (GPU vs CPU reference)', () => {
  const ops: UnaryOp[] = ['silu', 'softplus', 'exp', 'neg', 'sigmoid'];
  for (const op of ops) {
    for (const n of [1, 7, 33, 257, 1000, 70_001]) {
      it(`${op} n=${n}`, async () => {
        const ctx = await testContext();
        const rng = new SeededRandom(n * 31 + op.length);
        const host = rng.array(n, () => rng.uniform(-25, 25));
        using x = Tensor.fromArray(ctx, host, [n], 'f32');
        using y = unary(op, x);
        expectAllClose(await y.read(), unaryRef(op, host), { rtol: 2e-5, atol: 1e-6, label: op });
        await ctx.checkErrors();
      });
    }
  }

  it('rejects non-f32 input with a typed error', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, [1, 2], [2], 'i32');
    expect(() => unary('silu', x)).toThrow(/silu: x must be f32, got i32/);
  });
});
