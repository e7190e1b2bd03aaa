// CPU reference of causalConv1d (f64 accumulation); causalConv1dUpdate's is causal-conv1d-update-ref.ts.
// x: (batch, dInner, seqLen); weight: (dInner, width); bias: (dInner);
// initialState: (batch, dInner, initWidth); finalState / convState: (batch, dInner, width).

export interface CausalConv1dRefArgs {
  batch: number;
  dInner: number;
  seqLen: number;
  width: number;
  x: ArrayLike<number>;
  weight: ArrayLike<number>;
  bias?: ArrayLike<number> | undefined;
  initialState?: ArrayLike<number> | undefined;
  /** Columns of initialState (width - 1 or width). */
  initWidth?: number | undefined;
  silu?: boolean | undefined;
}

const silu = (v: number) => v / (1 + Math.exp(-v));

/** y[t] = bias + sum_w weight[w] * x[t - (width - 1) + w]; returns y and the last `width` inputs. */
export function causalConv1dRef(args: CausalConv1dRefArgs): { y: Float32Array; finalState: Float32Array } {
  const { batch, dInner, seqLen: L, width: W, x, weight, bias, initialState } = args;
  const initWidth = args.initWidth ?? W - 1;
  const y = new Float32Array(batch * dInner * L);
  const finalState = new Float32Array(batch * dInner * W);
  for (let channel = 0; channel < batch * dInner; channel++) {
    const d = channel % dInner;
    const at = (t: number): number => {
      if (t >= 0) return x[channel * L + t]!;
      const column = initWidth + t;
      return initialState && column >= 0 ? initialState[channel * initWidth + column]! : 0;
    };
    for (let t = 0; t < L; t++) {
      let acc = bias ? bias[d]! : 0;
      for (let w = 0; w < W; w++) acc += weight[d * W + w]! * at(t - (W - 1 - w));
      y[channel * L + t] = args.silu ? silu(acc) : acc;
    }
    for (let c = 0; c < W; c++) finalState[channel * W + c] = at(L - W + c);
  }
  return { y, finalState };
}
