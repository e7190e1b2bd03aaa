// CPU reference of selectiveStateUpdate (f64 accumulation); updates `state` in place.
// state: (batch, dInner, dState); x, dt, z: (batch, dInner); A: (dInner, dState); B, C: (batch, dState).

import { softplusRef } from '../selective-scan/selective-scan-ref.js';

export function selectiveStateUpdateRef(args: {
  batch: number;
  dInner: number;
  dState: number;
  state: Float32Array;
  x: ArrayLike<number>;
  dt: ArrayLike<number>;
  A: ArrayLike<number>;
  B: ArrayLike<number>;
  C: ArrayLike<number>;
  D?: ArrayLike<number> | undefined;
  z?: ArrayLike<number> | undefined;
  dtBias?: ArrayLike<number> | undefined;
  dtSoftplus?: boolean | undefined;
}): Float32Array {
  const { batch, dInner, dState: N, state, x, A, B, C, D, z, dtBias } = args;
  const y = new Float32Array(batch * dInner);
  for (let channel = 0; channel < batch * dInner; channel++) {
    const b = Math.floor(channel / dInner);
    const d = channel % dInner;
    let dt = args.dt[channel]! + (dtBias ? dtBias[d]! : 0);
    if (args.dtSoftplus) dt = softplusRef(dt);
    let acc = 0;
    for (let n = 0; n < N; n++) {
      const s = channel * N + n;
      const h = Math.exp(dt * A[d * N + n]!) * state[s]! + dt * B[b * N + n]! * x[channel]!;
      state[s] = h;
      acc += C[b * N + n]! * h;
    }
    if (D) acc += D[d]! * x[channel]!;
    if (z) acc *= z[channel]! / (1 + Math.exp(-z[channel]!));
    y[channel] = acc;
  }
  return y;
}
