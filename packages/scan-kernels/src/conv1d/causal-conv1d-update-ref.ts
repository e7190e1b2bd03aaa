// CPU reference of causalConv1dUpdate (f64 accumulation), with the same options as the op: the
// plain step (v1's semantics) and, composed with matmulRef, the projected step of v2-gemv.
// x: (batch, dInner); convState: (batch, dInner, width); weight: (dInner, width); bias: (dInner);
// projection: (n, dInner); returns (batch, dInner), or (batch, n) with a projection.

import { matmulRef, siluRef } from '@mamba-webgpu/tensor';

export interface CausalConv1dUpdateRefArgs {
  batch: number;
  dInner: number;
  width: number;
  x: ArrayLike<number>;
  /** Shifted in place (x appended) unless `updateState` is false. */
  convState: Float32Array;
  weight: ArrayLike<number>;
  bias?: ArrayLike<number> | undefined;
  silu?: boolean | undefined;
  /** Default true. */
  updateState?: boolean | undefined;
  /** (n, dInner) values and n: the output is `y @ projection^T`. */
  projection?: { weight: Float32Array; n: number } | undefined;
}

/** One decode step of the causal conv1d on the CPU (see `causalConv1dUpdate`). */
export function causalConv1dUpdateRef(args: CausalConv1dUpdateRefArgs): Float32Array {
  const { batch, dInner, width: W, x, weight, bias } = args;
  const state = args.updateState === false ? args.convState.slice() : args.convState;
  const y = new Float32Array(batch * dInner);
  for (let channel = 0; channel < batch * dInner; channel++) {
    const d = channel % dInner;
    const base = channel * W;
    state.copyWithin(base, base + 1, base + W);
    state[base + W - 1] = x[channel]!;
    let acc = bias ? bias[d]! : 0;
    for (let w = 0; w < W; w++) acc += weight[d * W + w]! * state[base + w]!;
    y[channel] = args.silu ? siluRef(acc) : acc;
  }
  const p = args.projection;
  return p ? matmulRef(y, p.weight, batch, p.n, dInner) : y;
}
