// The arguments and results of causalConv1dBackward, and the validated problem every kernel
// version of CONV1D_BACKWARD_KERNELS receives.
// Shapes: x, dy, dx: (batch, dInner, seqLen); weight, dWeight: (dInner, width); bias, dBias: (dInner);
// initialState, dInitialState: (batch, dInner, initWidth), initWidth = width - 1 (or width).

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';

/** Inputs of `causalConv1dBackward`: those of the forward `causalConv1d` plus the upstream gradient. */
export interface CausalConv1dBackwardArgs {
  /** (batch, dInner, seqLen): the forward's input. */
  x: Tensor;
  /** (dInner, width), width 2..8 */
  weight: Tensor;
  /** (dInner) */
  bias?: Tensor | undefined;
  /**
   * (batch, dInner, width - 1): the inputs before the sequence (last column newest), as in the
   * forward; (batch, dInner, width) is accepted too (its oldest column is unused, gradient 0).
   */
  initialState?: Tensor | undefined;
  /** Whether the forward applied SiLU (its pre-activation is recomputed, never stored). */
  silu?: boolean | undefined;
  /** (batch, dInner, seqLen): the gradient of the loss with respect to the forward's output y. */
  dy: Tensor;
}

/** Gradients of `causalConv1dBackward`, owned by the caller. */
export interface CausalConv1dBackwardResult {
  /** (batch, dInner, seqLen) */
  dx: Tensor<'f32'>;
  /** (dInner, width), summed over batch and time. */
  dWeight: Tensor<'f32'>;
  /** (dInner), summed over batch and time; only when `bias` was given. */
  dBias?: Tensor<'f32'> | undefined;
  /** Shaped as `initialState`; only when it was given. */
  dInitialState?: Tensor<'f32'> | undefined;
}

/** The sizes of a validated backward problem. */
export interface Conv1dBackwardShape {
  readonly batch: number;
  readonly dInner: number;
  readonly seqLen: number;
  readonly width: number;
  /** Columns of initialState (width - 1 or width); 0 without one. */
  readonly initWidth: number;
  readonly hasBias: boolean;
  readonly silu: boolean;
}

/**
 * What a kernel version records: the sizes, the inputs (plain f32 tensors: contiguous from
 * element 0) and the outputs to write (plain, owned by the caller of the op).
 */
export interface Conv1dBackwardProblem extends Conv1dBackwardShape {
  readonly ctx: GpuContext;
  readonly x: Tensor;
  readonly weight: Tensor;
  readonly bias?: Tensor | undefined;
  readonly initialState?: Tensor | undefined;
  readonly dy: Tensor;
  readonly outputs: CausalConv1dBackwardResult;
}
