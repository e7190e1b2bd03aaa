import { describe, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, expectAllClose } from '../../testing.js';
import { copyVec4 } from './copy.js';

describe('copyVec4', () => {
  it('copies every element (grid-stride covers more than one pass)', async () => {
    const ctx = await testContext();
    const n = 4 * 100_003;
    const host = new SeededRandom(5).array(n);
    using src = Tensor.fromArray(ctx, host, [n], 'f32');
    using dst = Tensor.empty(ctx, [n], 'f32').poison();
    copyVec4(ctx, src.buffer, dst.buffer, n * 4, 7);
    expectAllClose(await dst.read(), host, { rtol: 0, atol: 0 });
    await ctx.checkErrors();
  });
});
