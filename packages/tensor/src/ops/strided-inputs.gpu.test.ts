// Every element-wise and row op reads a strided view through the one shared copy path
// (contiguousOperand): a transposed or column-sliced input gives the CPU reference's result on
// the view's elements, and the temporaries it made are returned to the pool.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { gatherLayout } from '../tensor/layout.js';
import { Tensor } from '../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../testing.js';
import { argmax } from './argmax/argmax.js';
import { argmaxRef } from './argmax/argmax-ref.js';
import { add } from './binary/binary.js';
import { binaryRef } from './binary/binary-ref.js';
import { rmsNorm } from './rmsnorm/rmsnorm.js';
import { rmsNormRef } from './rmsnorm/rmsnorm-ref.js';
import { softmax } from './softmax/softmax.js';
import { softmaxRef } from './softmax/softmax-ref.js';
import { unary } from './unary/unary.js';
import { unaryRef } from './unary/unary-ref.js';

describe('ops on strided views (GPU vs CPU reference on the view)', () => {
  it('transposed and column-sliced inputs: unary, add, softmax, argmax, rmsNorm', async () => {
    const ctx = await testContext();
    const [rows, cols] = [37, 7];
    const host = new SeededRandom(11).array(rows * cols);
    using base = Tensor.fromArray(ctx, host, [rows, cols], 'f32');
    const before = ctx.stats().liveBuffers;
    // (7, 37) transposed view, and (37, 5) columns [1, 6) with a row stride of 7.
    for (const view of [base.transpose(0, 1), base.slice(1, 1, 6)]) {
      const logical = gatherLayout(host, view);
      const dim = view.shape[1]!;
      using y = unary('silu', view);
      expectAllClose(await y.read(), unaryRef('silu', logical), { rtol: 2e-5, atol: 1e-6, label: 'silu' });
      using s = add(view, view);
      expectAllClose(await s.read(), binaryRef('add', logical, logical), { ...TOLERANCES.f32, label: 'add' });
      using p = softmax(view);
      expectAllClose(await p.read(), softmaxRef(logical, dim), { ...TOLERANCES.f32, label: 'softmax' });
      using best = argmax(view);
      expect(Array.from(await best.read())).toEqual(Array.from(argmaxRef(logical, dim)));
      const weightHost = new SeededRandom(dim).array(dim);
      using weight = Tensor.fromArray(ctx, weightHost, [dim], 'f32');
      using normed = rmsNorm(view, weight);
      expectAllClose(await normed.read(), rmsNormRef(logical, weightHost, dim), {
        ...TOLERANCES.f32,
        label: 'rmsNorm',
      });
      view.dispose();
    }
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
    await ctx.checkErrors();
  });
});
