// causalConv1d and causalConv1dUpdate against their CPU references (widths 2..8, bias, SiLU,
// initial state of width - 1 or width columns), plus typed errors.
import { Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { causalConv1d } from './causal-conv1d.js';
import { causalConv1dRef } from './causal-conv1d-ref.js';
import { causalConv1dUpdate } from './causal-conv1d-update.js';
import { causalConv1dUpdateRef } from './causal-conv1d-update-ref.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };

describe('causalConv1d vs CPU reference', () => {
  const cases: [number, number, number, number, boolean, boolean, number][] = [
    // batch, dInner, seqLen, width, bias, silu, initWidth (0 = none)
    [1, 8, 1, 4, true, true, 0],
    [3, 5, 37, 2, false, false, 0],
    [2, 16, 333, 4, true, true, 3],
    [1, 4, 3, 8, true, false, 7],
    [2, 3, 50, 3, false, true, 3],
    [1, 6, 2, 4, true, true, 4],
  ];
  for (const [batch, dInner, seqLen, width, withBias, silu, initWidth] of cases) {
    it(`(${batch},${dInner},${seqLen}) width ${width}${withBias ? ' bias' : ''}${silu ? ' silu' : ''}${initWidth ? ` init ${initWidth}` : ''}`, async () => {
      const ctx = await testContext();
      const rng = new SeededRandom(batch * 100 + seqLen * 7 + width);
      const host = {
        batch,
        dInner,
        seqLen,
        width,
        x: rng.array(batch * dInner * seqLen),
        weight: rng.array(dInner * width),
        bias: withBias ? rng.array(dInner) : undefined,
        initialState: initWidth ? rng.array(batch * dInner * initWidth) : undefined,
        initWidth: initWidth || undefined,
        silu,
      };
      using x = Tensor.fromArray(ctx, host.x, [batch, dInner, seqLen], 'f32');
      using weight = Tensor.fromArray(ctx, host.weight, [dInner, width], 'f32');
      using bias = host.bias ? Tensor.fromArray(ctx, host.bias, [dInner], 'f32') : undefined;
      using init = host.initialState
        ? Tensor.fromArray(ctx, host.initialState, [batch, dInner, initWidth], 'f32')
        : undefined;
      const { y, finalState } = causalConv1d(ctx, { x, weight, bias, initialState: init, silu });
      const expected = causalConv1dRef(host);
      expectAllClose(await y.read(), expected.y, { ...TOL, label: 'y' });
      expectAllClose(await finalState.read(), expected.finalState, { ...TOL, label: 'finalState' });
      await ctx.checkErrors();
      y.dispose();
      finalState.dispose();
    });
  }

  it('causalConv1dUpdate matches its reference over several steps, in place', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(42);
    const [batch, dInner, width] = [2, 6, 4];
    const weightHost = rng.array(dInner * width);
    const biasHost = rng.array(dInner);
    const stateHost = rng.array(batch * dInner * width);
    using weight = Tensor.fromArray(ctx, weightHost, [dInner, width], 'f32');
    using bias = Tensor.fromArray(ctx, biasHost, [dInner], 'f32');
    using convState = Tensor.fromArray(ctx, stateHost, [batch, dInner, width], 'f32');
    for (let step = 0; step < 5; step++) {
      const xHost = rng.array(batch * dInner);
      using x = Tensor.fromArray(ctx, xHost, [batch, dInner], 'f32');
      using y = causalConv1dUpdate(ctx, { x, convState, weight, bias, silu: true });
      const expected = causalConv1dUpdateRef({
        batch,
        dInner,
        width,
        x: xHost,
        convState: stateHost,
        weight: weightHost,
        bias: biasHost,
        silu: true,
      });
      expectAllClose(await y.read(), expected, { ...TOL, label: `y step ${step}` });
      expectAllClose(await convState.read(), stateHost, { ...TOL, label: `convState step ${step}` });
    }
    await ctx.checkErrors();
  });

  it('rejects bad shapes and widths with typed errors', async () => {
    const ctx = await testContext();
    using x = Tensor.empty(ctx, [2, 4, 10], 'f32');
    using w9 = Tensor.empty(ctx, [4, 9], 'f32');
    expect(() => causalConv1d(ctx, { x, weight: w9 })).toThrow(
      expect.objectContaining({ name: 'LimitError' }),
    );
    using w = Tensor.empty(ctx, [5, 4], 'f32');
    expect(() => causalConv1d(ctx, { x, weight: w })).toThrow(
      'causalConv1d: weight must be (dInner, width) = (4, *), got (5, 4)',
    );
    using w4 = Tensor.empty(ctx, [4, 4], 'f32');
    using state = Tensor.empty(ctx, [2, 4, 3], 'f32');
    using x2 = Tensor.empty(ctx, [2, 4], 'f32');
    expect(() => causalConv1dUpdate(ctx, { x: x2, convState: state, weight: w4 })).toThrow(
      'causalConv1dUpdate: convState must be (batch, dInner, width) = (2, 4, 4), got (2, 4, 3)',
    );
  });
});
