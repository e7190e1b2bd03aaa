// causalConv1d and causalConv1dUpdate against their CPU references (widths 2..8, bias, SiLU,
// initial state of width - 1 or width columns), causalConv1d on views (x as a slice of an
// in_proj-like token-major output, y written token-major, a transposed weight that is copied),
// plus typed errors.
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

  for (const [batch, dInner, seqLen, width, tokenMajorY] of [
    [2, 12, 37, 4, true],
    [1, 8, 333, 4, false],
    [3, 5, 1, 3, true],
  ] as const) {
    it(`views: x a slice of (batch, seqLen, 2*dInner) rows, y ${tokenMajorY ? 'token-major' : 'plain'} (${batch},${dInner},${seqLen}) width ${width}`, async () => {
      const ctx = await testContext();
      const rng = new SeededRandom(batch * 31 + seqLen);
      const xHost = rng.array(batch * dInner * seqLen);
      const host = {
        batch,
        dInner,
        seqLen,
        width,
        x: xHost,
        weight: rng.array(dInner * width),
        bias: rng.array(dInner),
        silu: true,
      };
      // xz rows [x | z]: x (b, d, t) at (b, t, d); z filler (NaN: a read outside x's view fails).
      const xzHost = new Float32Array(batch * seqLen * 2 * dInner).fill(Number.NaN);
      for (let b = 0; b < batch; b++)
        for (let d = 0; d < dInner; d++)
          for (let t = 0; t < seqLen; t++)
            xzHost[(b * seqLen + t) * 2 * dInner + d] = xHost[(b * dInner + d) * seqLen + t]!;
      using xz = Tensor.fromArray(ctx, xzHost, [batch, seqLen, 2 * dInner], 'f32');
      using xzT = xz.transpose(1, 2);
      using x = xzT.slice(1, 0, dInner);
      // The weight as the transpose of a (width, dInner) tensor: not plain, so copied first.
      const wt = new Float32Array(width * dInner);
      for (let d = 0; d < dInner; d++)
        for (let w = 0; w < width; w++) wt[w * dInner + d] = host.weight[d * width + w]!;
      using weightT = Tensor.fromArray(ctx, wt, [width, dInner], 'f32');
      using weight = weightT.transpose(0, 1);
      using bias = Tensor.fromArray(ctx, host.bias, [dInner], 'f32');
      using yTokens = Tensor.empty(ctx, [batch, seqLen, dInner], 'f32').poison();
      using yView = yTokens.transpose(1, 2);
      const before = ctx.dispatchCount;
      const { y, finalState } = causalConv1d(ctx, {
        x,
        weight,
        bias,
        silu: true,
        yOut: tokenMajorY ? yView : undefined,
      });
      expect(ctx.dispatchCount - before).toBe(2); // the weight's copy, then the conv
      if (tokenMajorY) expect(y).toBe(yView);
      const expected = causalConv1dRef(host);
      expectAllClose(await y.read(), expected.y, { ...TOL, label: 'y' });
      expectAllClose(await finalState.read(), expected.finalState, { ...TOL, label: 'finalState' });
      await ctx.checkErrors();
      if (!tokenMajorY) y.dispose();
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
    using xAlias = x.reshape(x.shape);
    expect(() => causalConv1d(ctx, { x, weight: w4, yOut: xAlias })).toThrow(
      'causalConv1d: yOut must not share memory with an input',
    );
    using states = Tensor.empty(ctx, [4, 4, 4], 'f32');
    using stateRows = states.slice(0, 1, 3);
    expect(() => causalConv1d(ctx, { x, weight: w4, finalStateOut: stateRows })).toThrow(
      expect.objectContaining({ name: 'LayoutError' }),
    );
  });
});
