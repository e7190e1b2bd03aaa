// The optional `lastStateOut` / `finalStateOut` outputs: the state lands in the caller's tensor
// (a generation session's persistent state), equal to the freshly allocated one, and bad ones are
// refused with typed errors.
import { getGpuContext, ShapeError, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { causalConv1d, selectiveScan } from '../src/index.js';

describe('state outputs into caller tensors', () => {
  it('selectiveScan writes lastState into lastStateOut', async () => {
    const ctx = await getGpuContext();
    const rng = new SeededRandom(77);
    const [batch, dInner, seqLen, dState] = [2, 8, 37, 16];
    const t = (shape: number[], draw: () => number) =>
      Tensor.fromArray(
        ctx,
        rng.array(
          shape.reduce((a, b) => a * b),
          draw,
        ),
        shape,
        'f32',
      );
    using u = t([batch, dInner, seqLen], () => rng.normal());
    using delta = t([batch, dInner, seqLen], () => rng.uniform(-3, 0));
    using A = t([dInner, dState], () => -rng.uniform(0.5, 4));
    using B = t([batch, dState, seqLen], () => rng.normal());
    using C = t([batch, dState, seqLen], () => rng.normal());
    const args = { u, delta, A, B, C, deltaSoftplus: true };
    const fresh = selectiveScan(ctx, args);
    using out = Tensor.empty(ctx, [batch, dInner, dState], 'f32').poison();
    const into = selectiveScan(ctx, { ...args, lastStateOut: out });
    expect(into.lastState).toBe(out);
    expectAllClose(await out.read(), await fresh.lastState.read(), { rtol: 0, atol: 0 });
    expectAllClose(await into.y.read(), await fresh.y.read(), { rtol: 0, atol: 0 });
    fresh.y.dispose();
    fresh.lastState.dispose();
    into.y.dispose();
    using bad = Tensor.empty(ctx, [batch, dInner, dState + 1], 'f32');
    expect(() => selectiveScan(ctx, { ...args, lastStateOut: bad })).toThrow(ShapeError);
    await ctx.checkErrors();
  });

  it('causalConv1d writes finalState into finalStateOut', async () => {
    const ctx = await getGpuContext();
    const rng = new SeededRandom(78);
    const [batch, dInner, seqLen, width] = [2, 8, 5, 4];
    using x = Tensor.fromArray(ctx, rng.array(batch * dInner * seqLen), [batch, dInner, seqLen], 'f32');
    using weight = Tensor.fromArray(ctx, rng.array(dInner * width), [dInner, width], 'f32');
    const fresh = causalConv1d(ctx, { x, weight, silu: true });
    using out = Tensor.empty(ctx, [batch, dInner, width], 'f32').poison();
    const into = causalConv1d(ctx, { x, weight, silu: true, finalStateOut: out });
    expect(into.finalState).toBe(out);
    expectAllClose(await out.read(), await fresh.finalState.read(), { rtol: 0, atol: 0 });
    fresh.y.dispose();
    fresh.finalState.dispose();
    into.y.dispose();
    using bad = Tensor.empty(ctx, [batch, dInner, width - 1], 'f32');
    expect(() => causalConv1d(ctx, { x, weight, finalStateOut: bad })).toThrow(ShapeError);
    await ctx.checkErrors();
  });
});
