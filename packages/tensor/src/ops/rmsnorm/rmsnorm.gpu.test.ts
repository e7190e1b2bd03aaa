import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { roundThrough } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../../testing.js';
import { addRmsNorm, rmsNorm } from './rmsnorm.js';
import { addRmsNormRef, rmsNormRef } from './rmsnorm-ref.js';

type WDType = 'f32' | 'f16' | 'bf16';

async function check(
  rows: number,
  dim: number,
  wDtype: WDType,
  withResidual: boolean,
  maxBindingBytes?: number,
) {
  const ctx = await testContext();
  const rng = new SeededRandom(rows * 1009 + dim);
  const xHost = rng.array(rows * dim, () => rng.normal() * 3);
  const rHost = rng.array(rows * dim);
  const wHost = rng.array(dim, () => rng.uniform(0.5, 1.5));
  using x = Tensor.fromArray(ctx, xHost, [rows, dim], 'f32');
  using residualIn = withResidual ? Tensor.fromArray(ctx, rHost, [rows, dim], 'f32') : undefined;
  using weight = Tensor.fromArray(ctx, wHost, [dim], wDtype);
  using out = Tensor.empty(ctx, [rows, dim], 'f32').poison();
  using residualOut = Tensor.empty(ctx, [rows, dim], 'f32').poison();
  const opts = { eps: 1e-5, out, residualOut, ...(maxBindingBytes ? { maxBindingBytes } : {}) };
  addRmsNorm(x, residualIn, weight, opts);
  const w = wDtype === 'f32' ? wHost : roundThrough(wHost, wDtype);
  const ref = addRmsNormRef(xHost, withResidual ? rHost : undefined, w, dim, 1e-5);
  const label = `rows=${rows} dim=${dim} ${wDtype} residual=${withResidual}`;
  expectAllClose(await residualOut.read(), ref.residual, { rtol: 0, atol: 0, label: `${label} residual` });
  expectAllClose(await out.read(), ref.out, { ...TOLERANCES.f32, label });
  await ctx.checkErrors();
}

describe('rmsNorm / addRmsNorm (GPU vs CPU reference)', () => {
  for (const [rows, dim] of [
    [1, 1],
    [1, 7],
    [3, 33],
    [7, 257],
    [2, 1000],
    [33, 768],
    [1, 5003],
  ] as const) {
    it(`rows=${rows} dim=${dim}, f32 weight, with and without residual`, async () => {
      await check(rows, dim, 'f32', true);
      await check(rows, dim, 'f32', false);
    });
  }
  for (const wDtype of ['f16', 'bf16'] as const) {
    it(`${wDtype} weight`, () => check(5, 129, wDtype, true));
  }

  it('splits rows into binding-sized chunks', () => check(37, 33, 'bf16', true, 1024));

  it('rmsNorm without residual, custom eps', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(3);
    const xHost = rng.array(9 * 40, () => rng.normal() * 1e-3);
    const wHost = rng.array(40);
    using x = Tensor.fromArray(ctx, xHost, [3, 3, 40], 'f32');
    using weight = Tensor.fromArray(ctx, wHost, [40], 'f32');
    using out = rmsNorm(x, weight, { eps: 1e-3 });
    expect(out.shape).toEqual([3, 3, 40]);
    expectAllClose(await out.read(), rmsNormRef(xHost, wHost, 40, 1e-3), TOLERANCES.f32);
  });

  it('validates shapes and leaks nothing', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, new Float32Array(12), [3, 4], 'f32');
    using weight = Tensor.fromArray(ctx, new Float32Array(5), [5], 'f32');
    expect(() => rmsNorm(x, weight)).toThrow(/rmsNorm: weight must be \(dim\) = \(4\), got \(5\)/);
    using w4 = Tensor.fromArray(ctx, new Float32Array(4), [4], 'f32');
    using r = Tensor.fromArray(ctx, new Float32Array(8), [2, 4], 'f32');
    expect(() => addRmsNorm(x, r, w4)).toThrow(/addRmsNorm: residual must be \(\.\.\., dim\) = \(3, 4\)/);
    const before = ctx.stats().liveBuffers;
    for (let i = 0; i < 4; i++) {
      const { out, residual } = addRmsNorm(x, undefined, w4);
      out.dispose();
      residual.dispose();
      rmsNorm(x, w4).dispose();
    }
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
  });
});
