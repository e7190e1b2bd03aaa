// CPU reference of the selective scan (mamba `selective_scan_ref`), accumulating in f64, on
// row-major host arrays: u, delta, z, y: (batch, dInner, seqLen); A: (dInner, dState);
// B, C: (batch, dState, seqLen); D, deltaBias: (dInner); states: (batch, dInner, dState).

export interface SelectiveScanRefArgs {
  batch: number;
  dInner: number;
  seqLen: number;
  dState: number;
  u: ArrayLike<number>;
  delta: ArrayLike<number>;
  A: ArrayLike<number>;
  B: ArrayLike<number>;
  C: ArrayLike<number>;
  D?: ArrayLike<number> | undefined;
  z?: ArrayLike<number> | undefined;
  deltaBias?: ArrayLike<number> | undefined;
  deltaSoftplus?: boolean | undefined;
  initialState?: ArrayLike<number> | undefined;
}

/** softplus as PyTorch (threshold 20). */
export function softplusRef(v: number): number {
  return v > 20 ? v : Math.log1p(Math.exp(v));
}

/** h_t = exp(dt*A) h_{t-1} + dt*B_t*u_t; y_t = (C_t . h_t + D*u_t) * silu(z_t). */
export function selectiveScanRef(args: SelectiveScanRefArgs): { y: Float32Array; lastState: Float32Array } {
  const { batch, dInner, seqLen: L, dState: N, u, delta, A, B, C, D, z, deltaBias } = args;
  const y = new Float32Array(batch * dInner * L);
  const lastState = new Float32Array(batch * dInner * N);
  const h = new Float64Array(N);
  for (let b = 0; b < batch; b++) {
    for (let d = 0; d < dInner; d++) {
      const row = (b * dInner + d) * L;
      const stateRow = (b * dInner + d) * N;
      for (let n = 0; n < N; n++) h[n] = args.initialState ? args.initialState[stateRow + n]! : 0;
      for (let t = 0; t < L; t++) {
        let dt = delta[row + t]! + (deltaBias ? deltaBias[d]! : 0);
        if (args.deltaSoftplus) dt = softplusRef(dt);
        const x = u[row + t]!;
        let acc = 0;
        for (let n = 0; n < N; n++) {
          const bcIndex = (b * N + n) * L + t;
          h[n] = Math.exp(dt * A[d * N + n]!) * h[n]! + dt * B[bcIndex]! * x;
          acc += C[bcIndex]! * h[n]!;
        }
        if (D) acc += D[d]! * x;
        if (z) {
          const g = z[row + t]!;
          acc *= g / (1 + Math.exp(-g));
        }
        y[row + t] = acc;
      }
      for (let n = 0; n < N; n++) lastState[stateRow + n] = h[n]!;
    }
  }
  return { y, lastState };
}
