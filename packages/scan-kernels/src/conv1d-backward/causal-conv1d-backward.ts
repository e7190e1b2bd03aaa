// Host code of causalConv1dBackward, the gradients of the depthwise causal conv1d (fused bias,
// SiLU and initial state): boundary checks, output allocation, the kernel version pick, and the
// one contiguity path for strided inputs (the versions read plain buffers).

import { type GpuContext, LayoutError, Tensor, disposeAll } from '@mamba-webgpu/tensor';
import { contiguousOperand, pickKernel } from '@mamba-webgpu/tensor/internal';
import { CONV1D_BACKWARD_KERNELS } from './kernels.js';
import type {
  CausalConv1dBackwardArgs,
  CausalConv1dBackwardResult,
  Conv1dBackwardProblem,
  Conv1dBackwardShape,
} from './types.js';
import { validateConv1dBackward } from './validate.js';

const CALLER = 'causalConv1dBackward';

/** Options of causalConv1dBackward. */
export interface CausalConv1dBackwardOptions {
  /** @internal Force a version of CONV1D_BACKWARD_KERNELS by name (tests, bench). */
  kernel?: string | undefined;
}

/**
 * Gradients of the depthwise causal conv1d `y = act(pre)`,
 * `pre[b,d,t] = bias[d] + sum_k weight[d,k] * xpad[b,d,t+k]`, xpad = concat(initialState or zeros,
 * x), act = SiLU (when `silu`) or the identity, given the upstream gradient dy. The
 * pre-activation is recomputed (the forward stores nothing extra); dWeight and dBias are
 * deterministic (fixed-order sums, no float atomics).
 *
 * x, dy, dx: (batch, dInner, seqLen); weight, dWeight: (dInner, width); bias, dBias: (dInner);
 * initialState, dInitialState: (batch, dInner, width - 1).
 *
 * Inputs are borrowed (strided views are copied to contiguous temporaries, released after
 * recording); the returned gradients are new tensors the caller owns. Throws typed errors
 * starting with `causalConv1dBackward:` before any GPU work.
 */
export function causalConv1dBackward(
  ctx: GpuContext,
  args: CausalConv1dBackwardArgs,
  options: CausalConv1dBackwardOptions = {},
): CausalConv1dBackwardResult {
  const shape = validateConv1dBackward(ctx, args);
  const outputs = allocateConv1dBackwardOutputs(ctx, shape);
  try {
    recordConv1dBackward(ctx, args, shape, outputs, options.kernel);
  } catch (error) {
    disposeAll(outputs.dx, outputs.dWeight, outputs.dBias, outputs.dInitialState);
    throw error;
  }
  return outputs;
}

/**
 * New (uninitialised) gradient tensors for a validated problem: dx (batch, dInner, seqLen),
 * dWeight (dInner, width), dBias (dInner) with a bias, dInitialState (batch, dInner, initWidth)
 * with an initial state.
 */
export function allocateConv1dBackwardOutputs(
  ctx: GpuContext,
  shape: Conv1dBackwardShape,
): CausalConv1dBackwardResult {
  const { batch, dInner, seqLen, width, initWidth } = shape;
  const label = 'causal-conv1d-backward';
  return {
    dx: Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', `${label}/dx`),
    dWeight: Tensor.empty(ctx, [dInner, width], 'f32', `${label}/d-weight`),
    dBias: shape.hasBias ? Tensor.empty(ctx, [dInner], 'f32', `${label}/d-bias`) : undefined,
    dInitialState:
      initWidth > 0
        ? Tensor.empty(ctx, [batch, dInner, initWidth], 'f32', `${label}/d-initial-state`)
        : undefined,
  };
}

/**
 * Records the backward of a validated problem into `outputs` (plain f32 tensors shaped as
 * `allocateConv1dBackwardOutputs` makes them) with the named version or the one the registry
 * picks. Shapes as in `causalConv1dBackward`.
 */
export function recordConv1dBackward(
  ctx: GpuContext,
  args: CausalConv1dBackwardArgs,
  shape: Conv1dBackwardShape,
  outputs: CausalConv1dBackwardResult,
  kernel?: string,
): void {
  for (const [name, t] of Object.entries(outputs)) {
    if (t && !(t as Tensor).isPlain) {
      throw new LayoutError(`${CALLER}: output ${name} must be a plain tensor (contiguous from element 0)`);
    }
  }
  const problem: Conv1dBackwardProblem = {
    ...shape,
    ctx,
    x: args.x,
    weight: args.weight,
    bias: args.bias,
    initialState: args.initialState,
    dy: args.dy,
    outputs,
  };
  const version = pickKernel(CALLER, CONV1D_BACKWARD_KERNELS, problem, kernel);
  const temporaries: Tensor[] = [];
  try {
    version.record({
      ...problem,
      x: contiguousOperand(args.x, temporaries),
      weight: contiguousOperand(args.weight, temporaries),
      bias: args.bias && contiguousOperand(args.bias, temporaries),
      initialState: args.initialState && contiguousOperand(args.initialState, temporaries),
      dy: contiguousOperand(args.dy, temporaries),
    });
  } finally {
    disposeAll(...temporaries);
  }
}
