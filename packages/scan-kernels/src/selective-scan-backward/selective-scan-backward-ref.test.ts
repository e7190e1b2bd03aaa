// The float64 backward reference against central finite differences of the f64 forward (tiny
// sizes, every input, with and without softplus), and against the PyTorch float64 autograd oracle.
import { fileURLToPath } from 'node:url';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../test/safetensors.js';
import { selectiveScanRef } from '../selective-scan/selective-scan-ref.js';
import {
  type SelectiveScanBackwardRefArgs,
  type SelectiveScanGradsRef,
  selectiveScanBackwardRef,
  selectiveScanForwardRef64,
} from './selective-scan-backward-ref.js';

type Mutable = Record<string, Float64Array | undefined>;

/** A tiny f64 problem with every optional input; deltas straddle softplus' threshold sometimes. */
function tinyProblem(seed: number, deltaSoftplus: boolean): SelectiveScanBackwardRefArgs {
  const [batch, dInner, seqLen, dState] = [2, 3, 7, 3];
  const rng = new SeededRandom(seed);
  const arr = (n: number, draw = () => rng.normal()) => Float64Array.from({ length: n }, draw);
  const bdl = batch * dInner * seqLen;
  return {
    batch,
    dInner,
    seqLen,
    dState,
    u: arr(bdl),
    delta: arr(bdl, () => (deltaSoftplus ? rng.uniform(-3, 1) : rng.uniform(0.05, 0.5))),
    A: arr(dInner * dState, () => -rng.uniform(0.3, 2)),
    B: arr(batch * dState * seqLen),
    C: arr(batch * dState * seqLen),
    D: arr(dInner),
    z: arr(bdl),
    deltaBias: arr(dInner, () => rng.uniform(-0.5, 0.5)),
    deltaSoftplus,
    initialState: arr(batch * dInner * dState),
    dy: arr(bdl),
    dLastState: arr(batch * dInner * dState),
  };
}

/** sum(y * dy) + sum(lastState * dLastState) in f64. */
function loss(args: SelectiveScanBackwardRefArgs): number {
  const { y, lastState } = selectiveScanForwardRef64(args);
  let total = 0;
  for (let i = 0; i < y.length; i++) total += y[i]! * args.dy[i]!;
  for (let i = 0; i < lastState.length; i++) total += lastState[i]! * (args.dLastState?.[i] ?? 0);
  return total;
}

const INPUTS: [keyof SelectiveScanBackwardRefArgs, keyof SelectiveScanGradsRef][] = [
  ['u', 'du'],
  ['delta', 'dDelta'],
  ['A', 'dA'],
  ['B', 'dB'],
  ['C', 'dC'],
  ['D', 'dD'],
  ['z', 'dz'],
  ['deltaBias', 'dDeltaBias'],
  ['initialState', 'dInitialState'],
];

describe('selectiveScanBackwardRef', () => {
  it.each([true, false])(
    'matches central finite differences of the f64 forward (softplus %s)',
    (softplus) => {
      const args = tinyProblem(softplus ? 11 : 12, softplus);
      const grads = selectiveScanBackwardRef(args);
      const eps = 1e-6;
      for (const [input, grad] of INPUTS) {
        const values = (args as unknown as Mutable)[input]!;
        const numeric = new Float64Array(values.length);
        for (let i = 0; i < values.length; i++) {
          const saved = values[i]!;
          values[i] = saved + eps;
          const up = loss(args);
          values[i] = saved - eps;
          const down = loss(args);
          values[i] = saved;
          numeric[i] = (up - down) / (2 * eps);
        }
        expectAllClose(grads[grad]!, numeric, {
          rtol: 1e-6,
          atol: 1e-7,
          label: `${grad} vs finite differences`,
        });
      }
    },
  );

  it('returns only the gradients of inputs that were given; dLastState defaults to zeros', () => {
    const full = tinyProblem(13, true);
    const { D, z, deltaBias, initialState, dLastState, ...plain } = full;
    const grads = selectiveScanBackwardRef({ ...plain, deltaSoftplus: true });
    expect(Object.keys(grads).sort()).toEqual(['dA', 'dB', 'dC', 'dDelta', 'du']);
    const zeros = selectiveScanBackwardRef({ ...plain, dLastState: new Float64Array(dLastState!.length) });
    expectAllClose(grads.du, zeros.du, { rtol: 0, atol: 0 });
  });

  it('forward: y and lastState equal selectiveScanRef, chunk states are the states at chunk starts', () => {
    const args = tinyProblem(14, true);
    const { y, lastState, chunkStates } = selectiveScanForwardRef64(args, 3);
    const f32 = selectiveScanRef(args);
    expectAllClose(y, f32.y, { rtol: 1e-6, atol: 1e-6, label: 'y' });
    expectAllClose(lastState, f32.lastState, { rtol: 1e-6, atol: 1e-6, label: 'lastState' });
    // seqLen 7 in chunks of 3: starts at t = 0, 3, 6; chunk 0 holds the initial state.
    const { batch, dInner, dState } = args;
    expect(chunkStates.length).toBe(batch * dInner * 3 * dState);
    for (let r = 0; r < batch * dInner; r++) {
      for (let n = 0; n < dState; n++) {
        expect(chunkStates[r * 3 * dState + n]).toBe(args.initialState![r * dState + n]);
      }
    }
    const prefix = selectiveScanForwardRef64({ ...args, seqLen: 6, ...slicePrefix(args, 6) });
    for (let r = 0; r < batch * dInner; r++) {
      for (let n = 0; n < dState; n++) {
        expect(chunkStates[(r * 3 + 2) * dState + n]).toBeCloseTo(prefix.lastState[r * dState + n]!, 12);
      }
    }
  });
});

/** The first `t1` timesteps of every time-major input. */
function slicePrefix(a: SelectiveScanBackwardRefArgs, t1: number) {
  const cut = (data: ArrayLike<number> | undefined, rows: number) => {
    if (!data) return undefined;
    const out = new Float64Array(rows * t1);
    for (let r = 0; r < rows; r++) for (let t = 0; t < t1; t++) out[r * t1 + t] = data[r * a.seqLen + t]!;
    return out;
  };
  const rows = a.batch * a.dInner;
  return {
    u: cut(a.u, rows)!,
    delta: cut(a.delta, rows)!,
    z: cut(a.z, rows),
    dy: cut(a.dy, rows)!,
    B: cut(a.B, a.batch * a.dState)!,
    C: cut(a.C, a.batch * a.dState)!,
  };
}

describe('selectiveScanBackwardRef vs the PyTorch float64 oracle', () => {
  const path = fileURLToPath(
    new URL('../../test/fixtures/train/scan_grad_oracle.safetensors', import.meta.url),
  );
  const f = readSafetensors(path);
  const data = (name: string) => f[name]!.data;
  const [batch, dInner, seqLen] = f.u!.shape as [number, number, number];
  const dState = f.A!.shape[1]!;

  it('matches every gradient of the oracle (f32 tolerances)', () => {
    const args: SelectiveScanBackwardRefArgs = {
      batch,
      dInner,
      seqLen,
      dState,
      u: data('u'),
      delta: data('delta'),
      A: data('A'),
      B: data('B'),
      C: data('C'),
      D: data('D'),
      z: data('z'),
      deltaBias: data('delta_bias'),
      deltaSoftplus: true,
      initialState: data('h0'),
      dy: data('dy'),
      dLastState: data('dlast_state'),
    };
    const forward = selectiveScanForwardRef64(args);
    expectAllClose(forward.y, data('y'), { ...TOLERANCES.f32, label: 'y' });
    expectAllClose(forward.lastState, data('last_state'), { ...TOLERANCES.f32, label: 'last_state' });
    const grads = selectiveScanBackwardRef(args);
    const pairs: [keyof SelectiveScanGradsRef, string][] = [
      ['du', 'd_u'],
      ['dDelta', 'd_delta'],
      ['dA', 'd_A'],
      ['dB', 'd_B'],
      ['dC', 'd_C'],
      ['dD', 'd_D'],
      ['dz', 'd_z'],
      ['dDeltaBias', 'd_delta_bias'],
      ['dInitialState', 'd_h0'],
    ];
    for (const [mine, theirs] of pairs) {
      expectAllClose(grads[mine]!, data(theirs), { ...TOLERANCES.f32, label: theirs });
    }
  });
});
