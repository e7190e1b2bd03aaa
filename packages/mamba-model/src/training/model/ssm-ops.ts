// The Mamba block's two custom ops on the autograd tape: the causal conv1d with SiLU and the
// selective scan, each plugging in its fused backward from scan-kernels. The scan's forward
// saves only the chunk-boundary states; its backward recomputes the states chunk by chunk
// on chip (the paper's section 3.3), never storing (batch, dInner, seqLen, dState).

import { type Tape, type Tensor, retainPlain as plain } from '@mamba-webgpu/tensor';
import {
  causalConv1d,
  causalConv1dBackward,
  selectiveScanBackward,
  selectiveScanForwardForTraining,
} from '@mamba-webgpu/scan-kernels';

/**
 * u = silu(conv1d(x) + bias), depthwise causal. x: (batch, dInner, seqLen) (a view is copied);
 * weight: (dInner, dConv); bias: (dInner). Gradients reach x, weight and bias.
 */
export function convSilu(tape: Tape, x: Tensor, weight: Tensor, bias: Tensor | undefined): Tensor<'f32'> {
  const xs = plain(x);
  const ws = plain(weight);
  const { y, finalState } = causalConv1d(xs.ctx, { x: xs, weight: ws, bias, silu: true });
  finalState.dispose();
  const inputs = bias ? [x, weight, bias] : [x, weight];
  tape.record({
    name: 'causalConv1d',
    inputs,
    outputs: [y],
    backward: ([dy]) => {
      const g = causalConv1dBackward(xs.ctx, { x: xs, weight: ws, bias, silu: true, dy: dy! });
      return bias ? [g.dx, g.dWeight, g.dBias] : [g.dx, g.dWeight];
    },
    release: () => {
      xs.dispose();
      ws.dispose();
    },
  });
  return y as Tensor<'f32'>;
}

/** The scan's inputs (see `selectiveScan`): every one may be a view (copied to plain once). */
export interface ScanInputs {
  /** (batch, dInner, seqLen) */
  u: Tensor;
  /** (batch, dInner, seqLen), before deltaBias and softplus. */
  delta: Tensor;
  /** (dInner, dState), negative. */
  A: Tensor;
  /** (batch, dState, seqLen) */
  B: Tensor;
  /** (batch, dState, seqLen) */
  C: Tensor;
  /** (dInner) */
  D: Tensor;
  /** (batch, dInner, seqLen) */
  z: Tensor;
  /** (dInner) */
  deltaBias: Tensor;
}

const ORDER = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'deltaBias'] as const;

/**
 * y = selective_scan(u, delta, A, B, C, D, z, deltaBias, softplus): (batch, dInner, seqLen).
 * Records the chunk-boundary states (tiny) for the fused backward.
 */
export function selectiveScanOp(tape: Tape, inputs: ScanInputs): Tensor<'f32'> {
  const saved = Object.fromEntries(ORDER.map((k) => [k, plain(inputs[k])])) as unknown as ScanInputs;
  const ctx = saved.u.ctx;
  const args = { ...saved, deltaSoftplus: true };
  const forward = selectiveScanForwardForTraining(ctx, args);
  forward.lastState.dispose();
  const checkpoint = forward.checkpoint;
  tape.record({
    name: 'selectiveScan',
    inputs: ORDER.map((k) => inputs[k]),
    outputs: [forward.y],
    backward: ([dy]) => {
      const g = selectiveScanBackward(ctx, { ...args, dy: dy!, checkpoint });
      return [g.du, g.dDelta, g.dA, g.dB, g.dC, g.dD, g.dz, g.dDeltaBias];
    },
    release: () => {
      for (const k of ORDER) saved[k].dispose();
      checkpoint.chunkStates.dispose();
    },
  });
  return forward.y as Tensor<'f32'>;
}
