// CPU reference of selectiveStateUpdate (f64 accumulation), with the op's options: the fused
// conv step and dt projection are composed from causalConv1dUpdateRef and matmulRef, so the
// fused version v2-fused-step is checked against the references of what it fuses.
// state: (batch, dInner, dState); x, z: (batch, dInner); dt: (batch, dInner), or (batch, dtRank)
// with dtProj (dInner, dtRank); A: (dInner, dState); B, C: (batch, dState); D, dtBias: (dInner);
// conv.state: (batch, dInner, width); conv.weight: (dInner, width); conv.bias: (dInner).

import { matmulRef, softplusRef } from '@mamba-webgpu/tensor';
import { causalConv1dUpdateRef } from '../conv1d/causal-conv1d-update-ref.js';

export interface SelectiveStateUpdateRefArgs {
  batch: number;
  dInner: number;
  dState: number;
  /** Updated in place. */
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
  /** The fused conv step (SiLU'd); its state is shifted in place. */
  conv?:
    | { state: Float32Array; weight: ArrayLike<number>; bias?: ArrayLike<number> | undefined; width: number }
    | undefined;
  /** The fused dt projection: dt is (batch, dtRank). */
  dtProj?: { weight: Float32Array; dtRank: number } | undefined;
}

/** One decode step on the CPU (see `selectiveStateUpdate`); returns y (batch, dInner). */
export function selectiveStateUpdateRef(args: SelectiveStateUpdateRefArgs): Float32Array {
  const { batch, dInner, dState: N, state, A, B, C, D, z, dtBias, conv, dtProj } = args;
  const x = conv
    ? causalConv1dUpdateRef({
        batch,
        dInner,
        width: conv.width,
        x: args.x,
        convState: conv.state,
        weight: conv.weight,
        bias: conv.bias,
        silu: true,
      })
    : args.x;
  const dtIn = dtProj
    ? matmulRef(Float32Array.from(args.dt), dtProj.weight, batch, dInner, dtProj.dtRank)
    : args.dt;
  const y = new Float32Array(batch * dInner);
  for (let channel = 0; channel < batch * dInner; channel++) {
    const b = Math.floor(channel / dInner);
    const d = channel % dInner;
    let dt = dtIn[channel]! + (dtBias ? dtBias[d]! : 0);
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
