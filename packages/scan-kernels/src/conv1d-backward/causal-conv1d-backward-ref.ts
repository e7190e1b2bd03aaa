// float64 CPU reference of causalConv1dBackward (same arguments as the GPU op, as host arrays),
// and the float64 pre-activation of the forward it differentiates (the finite-difference check
// builds its loss from it).
// x, dy, dx: (batch, dInner, seqLen); weight, dWeight: (dInner, width); bias, dBias: (dInner);
// initialState, dInitialState: (batch, dInner, initWidth).

/** Host inputs of the references; `initWidth` defaults to width - 1. */
export interface CausalConv1dBackwardRefArgs {
  batch: number;
  dInner: number;
  seqLen: number;
  width: number;
  /** (batch, dInner, seqLen) */
  x: ArrayLike<number>;
  /** (dInner, width) */
  weight: ArrayLike<number>;
  /** (dInner) */
  bias?: ArrayLike<number> | undefined;
  /** (batch, dInner, initWidth): the inputs before t = 0, last column newest. */
  initialState?: ArrayLike<number> | undefined;
  /** Columns of initialState (width - 1 or width). */
  initWidth?: number | undefined;
  silu?: boolean | undefined;
  /** (batch, dInner, seqLen); unused by `causalConv1dPreactivationRef`. */
  dy?: ArrayLike<number> | undefined;
}

/** float64 gradients; `dBias` / `dInitialState` only when `bias` / `initialState` were given. */
export interface CausalConv1dBackwardRefResult {
  /** (batch, dInner, seqLen) */
  dx: Float64Array;
  /** (dInner, width) */
  dWeight: Float64Array;
  /** (dInner) */
  dBias?: Float64Array | undefined;
  /** (batch, dInner, initWidth) */
  dInitialState?: Float64Array | undefined;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const siluGrad = (v: number) => sigmoid(v) * (1 + v * (1 - sigmoid(v)));

/**
 * The padded input row of channel `row` (= b * dInner + d): xpad (seqLen + width - 1) =
 * the width - 1 inputs before t = 0 (initial state or zeros), then x.
 */
function paddedRow(args: CausalConv1dBackwardRefArgs, row: number): Float64Array {
  const { seqLen: L, width: W, x, initialState } = args;
  const initWidth = args.initWidth ?? W - 1;
  const xpad = new Float64Array(L + W - 1);
  for (let p = 0; p < W - 1; p++) {
    const column = initWidth - (W - 1) + p;
    if (initialState && column >= 0) xpad[p] = initialState[row * initWidth + column]!;
  }
  for (let t = 0; t < L; t++) xpad[W - 1 + t] = x[row * L + t]!;
  return xpad;
}

/** pre (batch, dInner, seqLen): pre[t] = bias + sum_k weight[k] * xpad[t + k], in float64. */
export function causalConv1dPreactivationRef(args: CausalConv1dBackwardRefArgs): Float64Array {
  const { batch, dInner, seqLen: L, width: W, weight, bias } = args;
  const pre = new Float64Array(batch * dInner * L);
  for (let row = 0; row < batch * dInner; row++) {
    const d = row % dInner;
    const xpad = paddedRow(args, row);
    for (let t = 0; t < L; t++) {
      let acc = bias ? bias[d]! : 0;
      for (let k = 0; k < W; k++) acc += weight[d * W + k]! * xpad[t + k]!;
      pre[row * L + t] = acc;
    }
  }
  return pre;
}

/**
 * Gradients of sum(y * dy) for y = silu(pre) (or pre), pre as in `causalConv1dPreactivationRef`:
 * g = dy * silu'(pre); dxpad[t + k] += weight[k] * g[t]; dWeight[k] += g[t] * xpad[t + k];
 * dBias += g[t]. dx and dInitialState are the two parts of dxpad.
 */
export function causalConv1dBackwardRef(args: CausalConv1dBackwardRefArgs): CausalConv1dBackwardRefResult {
  const { batch, dInner, seqLen: L, width: W, weight, dy } = args;
  if (!dy) throw new Error('causalConv1dBackwardRef: dy is required');
  const initWidth = args.initWidth ?? W - 1;
  const pre = causalConv1dPreactivationRef(args);
  const dx = new Float64Array(batch * dInner * L);
  const dWeight = new Float64Array(dInner * W);
  const dBias = new Float64Array(dInner);
  const dInitialState = new Float64Array(batch * dInner * initWidth);
  for (let row = 0; row < batch * dInner; row++) {
    const d = row % dInner;
    const xpad = paddedRow(args, row);
    const dxpad = new Float64Array(L + W - 1);
    for (let t = 0; t < L; t++) {
      const g = dy[row * L + t]! * (args.silu ? siluGrad(pre[row * L + t]!) : 1);
      for (let k = 0; k < W; k++) {
        dxpad[t + k] = dxpad[t + k]! + weight[d * W + k]! * g;
        dWeight[d * W + k] = dWeight[d * W + k]! + g * xpad[t + k]!;
      }
      dBias[d] = dBias[d]! + g;
    }
    dx.set(dxpad.subarray(W - 1), row * L);
    for (let p = 0; p < W - 1; p++) {
      const column = initWidth - (W - 1) + p;
      if (column >= 0) dInitialState[row * initWidth + column] = dxpad[p]!;
    }
  }
  return {
    dx,
    dWeight,
    dBias: args.bias ? dBias : undefined,
    dInitialState: args.initialState ? dInitialState : undefined,
  };
}
