// selectiveStateUpdate against its CPU reference over several steps (state updated in place).
import { Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { selectiveStateUpdate } from './selective-state-update.js';
import { selectiveStateUpdateRef } from './selective-state-update-ref.js';

describe('selectiveStateUpdate vs CPU reference', () => {
  for (const [batch, dInner, dState, full] of [
    [1, 8, 16, true],
    [3, 5, 1, false],
    [2, 4, 64, true],
  ] as const) {
    it(`(${batch},${dInner},${dState})${full ? ' D,z,dtBias,softplus' : ''}`, async () => {
      const ctx = await testContext();
      const rng = new SeededRandom(dState * 13 + batch);
      const A = new Float32Array(dInner * dState).map((_, i) => -((i % dState) + 1) * rng.uniform(0.5, 1.5));
      const D = full ? rng.array(dInner) : undefined;
      const dtBias = full ? rng.array(dInner, () => rng.uniform(-1, 0)) : undefined;
      const stateHost = rng.array(batch * dInner * dState);
      using state = Tensor.fromArray(ctx, stateHost, [batch, dInner, dState], 'f32');
      using At = Tensor.fromArray(ctx, A, [dInner, dState], 'f32');
      using Dt = D ? Tensor.fromArray(ctx, D, [dInner], 'f32') : undefined;
      using biasT = dtBias ? Tensor.fromArray(ctx, dtBias, [dInner], 'f32') : undefined;
      for (let step = 0; step < 3; step++) {
        const host = {
          x: rng.array(batch * dInner),
          dt: rng.array(batch * dInner, () => (full ? rng.uniform(-3, 1) : rng.uniform(0.01, 0.3))),
          B: rng.array(batch * dState),
          C: rng.array(batch * dState),
          z: full ? rng.array(batch * dInner) : undefined,
        };
        using x = Tensor.fromArray(ctx, host.x, [batch, dInner], 'f32');
        using dt = Tensor.fromArray(ctx, host.dt, [batch, dInner], 'f32');
        using B = Tensor.fromArray(ctx, host.B, [batch, dState], 'f32');
        using C = Tensor.fromArray(ctx, host.C, [batch, dState], 'f32');
        using z = host.z ? Tensor.fromArray(ctx, host.z, [batch, dInner], 'f32') : undefined;
        using y = selectiveStateUpdate(ctx, {
          state,
          x,
          dt,
          A: At,
          B,
          C,
          D: Dt,
          z,
          dtBias: biasT,
          dtSoftplus: full,
        });
        const expected = selectiveStateUpdateRef({
          batch,
          dInner,
          dState,
          state: stateHost,
          ...host,
          A,
          D,
          dtBias,
          dtSoftplus: full,
        });
        expectAllClose(await y.read(), expected, { ...TOLERANCES.f32, label: `y step ${step}` });
        expectAllClose(await state.read(), stateHost, { ...TOLERANCES.f32, label: `state step ${step}` });
      }
      await ctx.checkErrors();
    });
  }

  it('rejects a bad B shape with a typed error', async () => {
    const ctx = await testContext();
    using state = Tensor.empty(ctx, [2, 4, 16], 'f32');
    using x = Tensor.empty(ctx, [2, 4], 'f32');
    using A = Tensor.empty(ctx, [4, 16], 'f32');
    using B = Tensor.empty(ctx, [2, 8], 'f32');
    expect(() => selectiveStateUpdate(ctx, { state, x, dt: x, A, B, C: B })).toThrow(
      'selectiveStateUpdate: B must be (batch, dState) = (2, 16), got (2, 8)',
    );
  });
});
