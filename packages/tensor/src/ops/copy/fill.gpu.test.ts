import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { Tensor } from '../../tensor/tensor.js';
import { fill } from './fill.js';

describe('fill', () => {
  it('sets every element (f32, i32, a row slice) and only those', async () => {
    const ctx = await testContext();
    const t = Tensor.empty(ctx, [3, 5], 'f32').poison();
    expect(Array.from(await fill(t, 1.5).read())).toEqual(new Array(15).fill(1.5));
    const ids = fill(Tensor.empty(ctx, [7], 'i32'), -3);
    expect(Array.from(await ids.read())).toEqual(new Array(7).fill(-3));
    const rows = t.slice(0, 1, 2);
    fill(rows, 0);
    expect(Array.from(await t.read())).toEqual([
      ...new Array(5).fill(1.5),
      ...new Array(5).fill(0),
      ...new Array(5).fill(1.5),
    ]);
    for (const x of [rows, t, ids]) x.dispose();
    await ctx.checkErrors();
  });
});
