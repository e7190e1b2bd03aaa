// Every version of SELECTIVE_STATE_UPDATE_KERNELS against the composed CPU reference over several
// steps (state and conv state updated in place), on awkward shapes: dState 1/16/64, dInner not a
// multiple of any workgroup, batch 1 and 3, x/z and dt/B/C read as views of one tensor each (the
// model's layout), poisoned outputs; plus the typed errors of the boundary and of `prepared`.
import { Tensor } from '@mamba-webgpu/tensor';
import { roundThrough } from '@mamba-webgpu/tensor/internal';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import {
  SELECTIVE_STATE_UPDATE_KERNELS,
  prepareSelectiveStateUpdate,
  selectiveStateUpdate,
  selectiveStateUpdateWith,
} from './selective-state-update.js';
import { selectiveStateUpdateRef } from './selective-state-update-ref.js';
import { validateStateUpdate } from './validate.js';

/** Columns [start, end) of a (rows, cols) row-major array. */
function columns(host: Float32Array, rows: number, cols: number, start: number, end: number): Float32Array {
  const out = new Float32Array(rows * (end - start));
  for (let r = 0; r < rows; r++) out.set(host.subarray(r * cols + start, r * cols + end), r * (end - start));
  return out;
}

function negativeA(rng: SeededRandom, dInner: number, dState: number): Float32Array {
  return new Float32Array(dInner * dState).map((_, i) => -((i % dState) + 1) * rng.uniform(0.5, 1.5));
}

describe('selectiveStateUpdate versions vs CPU reference (plain problems)', () => {
  for (const [batch, dInner, dState, full] of [
    [1, 8, 16, true],
    [3, 37, 1, false],
    [3, 19, 64, true],
  ] as const) {
    for (const kernel of SELECTIVE_STATE_UPDATE_KERNELS) {
      it(`${kernel.name} (${batch},${dInner},${dState})${full ? ' D,z,dtBias,softplus, B/C views' : ''}`, async () => {
        const ctx = await testContext();
        const rng = new SeededRandom(dState * 13 + batch + dInner);
        const A = negativeA(rng, dInner, dState);
        const D = full ? rng.array(dInner) : undefined;
        const dtBias = full ? rng.array(dInner, () => rng.uniform(-1, 0)) : undefined;
        const stateHost = rng.array(batch * dInner * dState);
        using state = Tensor.fromArray(ctx, stateHost, [batch, dInner, dState], 'f32');
        using At = Tensor.fromArray(ctx, A, [dInner, dState], 'f32');
        using Dt = D ? Tensor.fromArray(ctx, D, [dInner], 'f32') : undefined;
        using biasT = dtBias ? Tensor.fromArray(ctx, dtBias, [dInner], 'f32') : undefined;
        for (let step = 0; step < 2; step++) {
          const bc = rng.array(batch * 2 * dState);
          const host = {
            x: rng.array(batch * dInner),
            dt: rng.array(batch * dInner, () => (full ? rng.uniform(-3, 1) : rng.uniform(0.01, 0.3))),
            B: columns(bc, batch, 2 * dState, 0, dState),
            C: columns(bc, batch, 2 * dState, dState, 2 * dState),
            z: full ? rng.array(batch * dInner) : undefined,
          };
          using x = Tensor.fromArray(ctx, host.x, [batch, dInner], 'f32');
          using dt = Tensor.fromArray(ctx, host.dt, [batch, dInner], 'f32');
          using bcT = Tensor.fromArray(ctx, bc, [batch, 2 * dState], 'f32');
          using B = full ? bcT.slice(1, 0, dState) : Tensor.fromArray(ctx, host.B, [batch, dState], 'f32');
          using C = full
            ? bcT.slice(1, dState, 2 * dState)
            : Tensor.fromArray(ctx, host.C, [batch, dState], 'f32');
          using z = host.z ? Tensor.fromArray(ctx, host.z, [batch, dInner], 'f32') : undefined;
          using out = Tensor.empty(ctx, [batch, dInner], 'f32').poison();
          const args = { state, x, dt, A: At, B, C, D: Dt, z, dtBias: biasT, dtSoftplus: full, out };
          // Only v1 runs an unfused problem; the fused step needs the conv step and dt_proj.
          if (kernel.name !== 'v1-plain') {
            expect(kernel.supports(validateStateUpdate(ctx, args))).toBe(false);
            expect(() => selectiveStateUpdateWith(ctx, args, { kernel: kernel.name })).toThrow(
              `selectiveStateUpdate: kernel ${kernel.name} does not support this problem`,
            );
            continue;
          }
          selectiveStateUpdateWith(ctx, args, { kernel: kernel.name });
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
          expectAllClose(await out.read(), expected, { ...TOLERANCES.f32, label: `y step ${step}` });
          expectAllClose(await state.read(), stateHost, { ...TOLERANCES.f32, label: `state step ${step}` });
        }
        await ctx.checkErrors();
      });
    }
  }
});

describe('selectiveStateUpdate versions vs CPU reference (fused conv step and dt_proj)', () => {
  // batch, dInner, dState, dtRank, width, conv bias + D + dtBias + z, dt_proj dtype
  const cases = [
    [1, 37, 16, 5, 4, true, 'f32'],
    [3, 24, 1, 3, 2, false, 'f32'],
    [3, 19, 64, 7, 4, true, 'bf16'],
    [1, 64, 16, 48, 4, true, 'f32'],
  ] as const;
  for (const [batch, dInner, dState, dtRank, width, full, dtype] of cases) {
    for (const kernel of SELECTIVE_STATE_UPDATE_KERNELS) {
      it(`${kernel.name} (${batch},${dInner},${dState}) dtRank ${dtRank} width ${width}${full ? ' bias,D,z' : ''} dtProj ${dtype}`, async () => {
        const ctx = await testContext();
        const rng = new SeededRandom(dState * 7 + batch * 3 + dInner);
        const A = negativeA(rng, dInner, dState);
        const D = full ? rng.array(dInner) : undefined;
        const dtBias = full ? rng.array(dInner, () => rng.uniform(-3, -1)) : undefined;
        const convWeight = rng.array(dInner * width);
        const convBias = full ? rng.array(dInner) : undefined;
        const dtProjHost = rng.array(dInner * dtRank, () => rng.uniform(-0.5, 0.5));
        const dtProjValues = dtype === 'f32' ? dtProjHost : roundThrough(dtProjHost, dtype);
        const stateHost = rng.array(batch * dInner * dState);
        const convHost = rng.array(batch * dInner * width);
        using state = Tensor.fromArray(ctx, stateHost, [batch, dInner, dState], 'f32');
        using convState = Tensor.fromArray(ctx, convHost, [batch, dInner, width], 'f32');
        using At = Tensor.fromArray(ctx, A, [dInner, dState], 'f32');
        using Dt = D ? Tensor.fromArray(ctx, D, [dInner], 'f32') : undefined;
        using biasT = dtBias ? Tensor.fromArray(ctx, dtBias, [dInner], 'f32') : undefined;
        using weightT = Tensor.fromArray(ctx, convWeight, [dInner, width], 'f32');
        using convBiasT = convBias ? Tensor.fromArray(ctx, convBias, [dInner], 'f32') : undefined;
        using dtProj = Tensor.fromArray(ctx, dtProjHost, [dInner, dtRank], dtype);
        const conv = { state: convState, weight: weightT, bias: convBiasT };
        using prepared = prepareSelectiveStateUpdate(kernel.name, {
          A: At,
          D: Dt,
          dtBias: biasT,
          conv: { weight: weightT, bias: convBiasT },
        });
        const rowWidth = dtRank + 2 * dState;
        for (let step = 0; step < 3; step++) {
          const xzHost = rng.array(batch * 2 * dInner);
          const dblHost = rng.array(batch * rowWidth, () => rng.uniform(-1, 1));
          using xz = Tensor.fromArray(ctx, xzHost, [batch, 2 * dInner], 'f32');
          using dbl = Tensor.fromArray(ctx, dblHost, [batch, rowWidth], 'f32');
          using x = xz.slice(1, 0, dInner);
          using z = full ? xz.slice(1, dInner, 2 * dInner) : undefined;
          using dt = dbl.slice(1, 0, dtRank);
          using B = dbl.slice(1, dtRank, dtRank + dState);
          using C = dbl.slice(1, dtRank + dState, rowWidth);
          using out = Tensor.empty(ctx, [batch, dInner], 'f32').poison();
          const args = {
            state,
            x,
            dt,
            A: At,
            B,
            C,
            D: Dt,
            z,
            dtBias: biasT,
            dtSoftplus: true,
            conv,
            dtProj,
            out,
          };
          expect(kernel.supports(validateStateUpdate(ctx, args))).toBe(true);
          selectiveStateUpdateWith(ctx, args, { kernel: kernel.name, prepared });
          const expected = selectiveStateUpdateRef({
            batch,
            dInner,
            dState,
            state: stateHost,
            x: columns(xzHost, batch, 2 * dInner, 0, dInner),
            dt: columns(dblHost, batch, rowWidth, 0, dtRank),
            A,
            B: columns(dblHost, batch, rowWidth, dtRank, dtRank + dState),
            C: columns(dblHost, batch, rowWidth, dtRank + dState, rowWidth),
            D,
            z: full ? columns(xzHost, batch, 2 * dInner, dInner, 2 * dInner) : undefined,
            dtBias,
            dtSoftplus: true,
            conv: { state: convHost, weight: convWeight, bias: convBias, width },
            dtProj: { weight: dtProjValues, dtRank },
          });
          const tol = TOLERANCES[dtype];
          expectAllClose(await out.read(), expected, { ...tol, label: `y step ${step}` });
          expectAllClose(await state.read(), stateHost, { ...tol, label: `state step ${step}` });
          expectAllClose(await convState.read(), convHost, {
            rtol: 0,
            atol: 0,
            label: `conv state step ${step}`,
          });
        }
        await ctx.checkErrors();
      });
    }
  }
});

describe('selectiveStateUpdate boundary errors', () => {
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

  it('rejects bad fused shapes, views of in-place tensors and buffers prepared from other weights', async () => {
    const ctx = await testContext();
    const [batch, dInner, dState, dtRank, width] = [2, 8, 4, 3, 4];
    using state = Tensor.empty(ctx, [batch, dInner, dState], 'f32');
    using xz = Tensor.empty(ctx, [batch, 2 * dInner], 'f32');
    using x = xz.slice(1, 0, dInner);
    using dbl = Tensor.empty(ctx, [batch, dtRank + 2 * dState], 'f32');
    using dt = dbl.slice(1, 0, dtRank);
    using B = dbl.slice(1, dtRank, dtRank + dState);
    using A = Tensor.empty(ctx, [dInner, dState], 'f32');
    using otherA = Tensor.empty(ctx, [dInner, dState], 'f32');
    using weight = Tensor.empty(ctx, [dInner, width], 'f32');
    using convState = Tensor.empty(ctx, [batch, dInner, width], 'f32');
    using wideState = Tensor.empty(ctx, [batch, dInner, width + 1], 'f32');
    using stateView = wideState.slice(2, 0, width);
    using dtProj = Tensor.empty(ctx, [dInner, dtRank], 'f32');
    using badProj = Tensor.empty(ctx, [dInner, dtRank + 1], 'f32');
    const base = { state, x, dt, A, B, C: B, dtProj, conv: { state: convState, weight } };
    expect(() => selectiveStateUpdate(ctx, { ...base, dtProj: badProj })).toThrow(
      'selectiveStateUpdate: dt must be (batch, dtRank) = (2, 4), got (2, 3)',
    );
    expect(() => selectiveStateUpdate(ctx, { ...base, conv: { state: stateView, weight } })).toThrow(
      'selectiveStateUpdate: conv.state must be a contiguous tensor (it is updated in place), got a strided view',
    );
    using prepared = prepareSelectiveStateUpdate('v2-fused-step', { A: otherA, conv: { weight } });
    expect(() => selectiveStateUpdateWith(ctx, base, { prepared })).toThrow(
      'selectiveStateUpdate: the prepared buffers were made from other weights',
    );
    expect(() => prepareSelectiveStateUpdate('v2-fused-step', { A })).toThrow(
      'prepareSelectiveStateUpdate: v2-fused-step fuses the conv step; pass the conv weights',
    );
    expect(() => prepareSelectiveStateUpdate('v9', { A })).toThrow(
      'prepareSelectiveStateUpdate: no kernel named v9; have v1-plain, v2-fused-step',
    );
  });
});
