// Float64 CPU references of the training scan: the forward with its chunk-boundary states and the
// hand-derived adjoint (reverse-mode) of the selective scan, checked by finite differences.
// u, delta, z, dy: (batch, dInner, seqLen); A: (dInner, dState); B, C: (batch, dState, seqLen);
// D, deltaBias: (dInner); initialState, lastState, dLastState: (batch, dInner, dState);
// chunkStates: (batch, dInner, nChunks, dState).

import { type SelectiveScanRefArgs, softplusRef } from '../selective-scan/selective-scan-ref.js';

/** Inputs of the backward reference: the forward's, plus the upstream gradients. */
export interface SelectiveScanBackwardRefArgs extends Omit<SelectiveScanRefArgs, 'bcLayout'> {
  /** (batch, dInner, seqLen): dLoss/dy. */
  dy: ArrayLike<number>;
  /** (batch, dInner, dState): dLoss/dlastState (default zeros). */
  dLastState?: ArrayLike<number> | undefined;
}

/** Gradients of `sum(y * dy) + sum(lastState * dLastState)`, each in its input's shape (f64). */
export interface SelectiveScanGradsRef {
  du: Float64Array;
  /** With respect to the raw delta (before deltaBias and softplus). */
  dDelta: Float64Array;
  dA: Float64Array;
  dB: Float64Array;
  dC: Float64Array;
  /** Present when D is. */
  dD?: Float64Array;
  /** Present when z is. */
  dz?: Float64Array;
  /** Present when deltaBias is. */
  dDeltaBias?: Float64Array;
  /** Present when initialState is. */
  dInitialState?: Float64Array;
}

/** Result of the f64 forward: y, the last state and the state at the start of every chunk. */
export interface ScanForwardRef64 {
  y: Float64Array;
  lastState: Float64Array;
  /** (batch, dInner, nChunks, dState): h before timestep c * chunkSize (chunk 0: the initial state). */
  chunkStates: Float64Array;
}

/** sigmoid in f64. */
function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** The effective step and d(step)/d(delta) of one timestep: softplus(delta + bias) or delta + bias. */
function stepOf(args: SelectiveScanRefArgs, d: number, raw: number): { dt: number; slope: number } {
  const v = raw + (args.deltaBias ? args.deltaBias[d]! : 0);
  if (!args.deltaSoftplus) return { dt: v, slope: 1 };
  // As torch.nn.functional.softplus (threshold 20) and its backward.
  return v > 20 ? { dt: v, slope: 1 } : { dt: softplusRef(v), slope: sigmoid(v) };
}

/**
 * The selective scan in f64 (`selectiveScanRef` without rounding to f32), also returning the
 * states at the chunk boundaries the training forward saves. B, C in (batch, dState, seqLen).
 */
export function selectiveScanForwardRef64(args: SelectiveScanRefArgs, chunkSize = 256): ScanForwardRef64 {
  const { batch, dInner, seqLen: L, dState: N, u, delta, A, B, C, D, z } = args;
  const nChunks = Math.ceil(L / chunkSize);
  const y = new Float64Array(batch * dInner * L);
  const lastState = new Float64Array(batch * dInner * N);
  const chunkStates = new Float64Array(batch * dInner * nChunks * N);
  const h = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    for (let d = 0; d < dInner; d++) {
      const row = (b * dInner + d) * L;
      const stateRow = (b * dInner + d) * N;
      for (let n = 0; n < N; n++) h[n] = args.initialState ? args.initialState[stateRow + n]! : 0;
      for (let t = 0; t < L; t++) {
        if (t % chunkSize === 0) chunkStates.set(h, ((b * dInner + d) * nChunks + t / chunkSize) * N);
        const { dt } = stepOf(args, d, delta[row + t]!);
        const x = u[row + t]!;
        let acc = D ? D[d]! * x : 0;
        for (let n = 0; n < N; n++) {
          const bc = (b * N + n) * L + t;
          h[n] = Math.exp(dt * A[d * N + n]!) * h[n]! + dt * B[bc]! * x;
          acc += C[bc]! * h[n]!;
        }
        y[row + t] = z ? acc * z[row + t]! * sigmoid(z[row + t]!) : acc;
      }
      lastState.set(h, stateRow);
    }
  }
  return { y, lastState, chunkStates };
}

/**
 * The backward of the selective scan in f64, derived by hand. With dt = softplus(delta + bias),
 * a_t = exp(dt_t A), h_t = a_t h_{t-1} + dt_t B_t u_t, out_t = C_t . h_t + D u_t,
 * y_t = out_t silu(z_t) and g_t = dy_t silu(z_t) (= dLoss/dout_t), the adjoint
 * lambda_t = dLoss/dh_t runs backwards: lambda_{L-1} = dLastState + C_{L-1} g_{L-1},
 * lambda_t = a_{t+1} lambda_{t+1} + C_t g_t, and dInitialState = a_0 lambda_0. Then per (t, n):
 * dB += lambda dt u, dC += g h_t, du += lambda dt B, d(dt) += lambda (A a_t h_{t-1} + B u),
 * dA += lambda dt a_t h_{t-1}; per t: du += D g, dD += g u, dz = dy out silu'(z),
 * dDelta = d(dt) * softplus'(delta + bias), dDeltaBias = sum of dDelta.
 */
export function selectiveScanBackwardRef(args: SelectiveScanBackwardRefArgs): SelectiveScanGradsRef {
  const { batch, dInner, seqLen: L, dState: N, u, delta, A, B, C, D, z, dy, dLastState } = args;
  const bdl = batch * dInner * L;
  const grads: SelectiveScanGradsRef = {
    du: new Float64Array(bdl),
    dDelta: new Float64Array(bdl),
    dA: new Float64Array(dInner * N),
    dB: new Float64Array(batch * N * L),
    dC: new Float64Array(batch * N * L),
    ...(D ? { dD: new Float64Array(dInner) } : {}),
    ...(z ? { dz: new Float64Array(bdl) } : {}),
    ...(args.deltaBias ? { dDeltaBias: new Float64Array(dInner) } : {}),
    ...(args.initialState ? { dInitialState: new Float64Array(batch * dInner * N) } : {}),
  };
  // States after every timestep of one channel: hs[(t + 1) * N + n], hs[n] = the initial state.
  const hs = new Float64Array((L + 1) * N);
  const dt = new Float64Array(L);
  const slope = new Float64Array(L);
  const lambda = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    for (let d = 0; d < dInner; d++) {
      const row = (b * dInner + d) * L;
      const stateRow = (b * dInner + d) * N;
      const skip = D ? D[d]! : 0;
      for (let n = 0; n < N; n++) hs[n] = args.initialState ? args.initialState[stateRow + n]! : 0;
      for (let t = 0; t < L; t++) {
        ({ dt: dt[t], slope: slope[t] } = stepOf(args, d, delta[row + t]!));
        for (let n = 0; n < N; n++) {
          const bc = (b * N + n) * L + t;
          hs[(t + 1) * N + n] =
            Math.exp(dt[t]! * A[d * N + n]!) * hs[t * N + n]! + dt[t]! * B[bc]! * u[row + t]!;
        }
      }
      for (let n = 0; n < N; n++) lambda[n] = dLastState ? dLastState[stateRow + n]! : 0;
      for (let t = L - 1; t >= 0; t--) {
        const x = u[row + t]!;
        const gate = z ? z[row + t]! * sigmoid(z[row + t]!) : 1;
        const g = dy[row + t]! * gate;
        let out = skip * x;
        let du = skip * g;
        let dStep = 0;
        for (let n = 0; n < N; n++) {
          const bc = (b * N + n) * L + t;
          const an = A[d * N + n]!;
          const a = Math.exp(dt[t]! * an);
          const h = hs[(t + 1) * N + n]!;
          const ahPrev = a * hs[t * N + n]!;
          const lam = lambda[n]! + C[bc]! * g;
          out += C[bc]! * h;
          grads.dB[bc] = grads.dB[bc]! + lam * dt[t]! * x;
          grads.dC[bc] = grads.dC[bc]! + g * h;
          du += lam * dt[t]! * B[bc]!;
          dStep += lam * (an * ahPrev + B[bc]! * x);
          grads.dA[d * N + n] = grads.dA[d * N + n]! + lam * dt[t]! * ahPrev;
          lambda[n] = a * lam;
        }
        grads.du[row + t] = du;
        grads.dDelta[row + t] = dStep * slope[t]!;
        if (grads.dD) grads.dD[d] = grads.dD[d]! + g * x;
        if (grads.dDeltaBias) grads.dDeltaBias[d] = grads.dDeltaBias[d]! + dStep * slope[t]!;
        if (grads.dz && z) {
          const s = sigmoid(z[row + t]!);
          grads.dz[row + t] = dy[row + t]! * out * s * (1 + z[row + t]! * (1 - s));
        }
      }
      if (grads.dInitialState) grads.dInitialState.set(lambda, stateRow);
    }
  }
  return grads;
}
