// selectiveStateUpdate: one token of the selective scan, in place on a GPU state. Validates at the
// boundary, then records a version of SELECTIVE_STATE_UPDATE_KERNELS: v1-plain, or v2-fused-step
// (the conv step and dt_proj fused in, what the model's decode runs) with the buffers it prepared.

import { type GpuContext, InvalidArgumentError, type Tensor } from '@mamba-webgpu/tensor';
import { kernelNamed, pickKernel } from '@mamba-webgpu/tensor/internal';
import type {
  PreparedStateUpdate,
  SelectiveStateUpdateArgs,
  StateUpdateKernel,
  StateUpdateProblem,
  StateUpdateWeights,
} from './types.js';
import { v1Plain } from './v1-plain.js';
import { v2FusedStep } from './v2-fused-step.js';
import { validateStateUpdate } from './validate.js';

const CALLER = 'selectiveStateUpdate';

/** Every version, in order of introduction; the op runs the last automatic one that supports a problem. */
export const SELECTIVE_STATE_UPDATE_KERNELS: readonly StateUpdateKernel[] = [v1Plain, v2FusedStep];

/** The per-channel weights of a problem, as `prepare` takes them. */
function weightsOf(p: StateUpdateProblem): StateUpdateWeights {
  return {
    A: p.A,
    D: p.D,
    dtBias: p.dtBias,
    conv: p.conv ? { weight: p.conv.weight, bias: p.conv.bias } : undefined,
  };
}

function checkPrepared(
  p: StateUpdateProblem,
  kernel: StateUpdateKernel,
  prepared: PreparedStateUpdate,
): void {
  if (prepared.kernel !== kernel.name) {
    throw new InvalidArgumentError(
      `${CALLER}: the prepared buffers are ${prepared.kernel}'s, but the kernel is ${kernel.name}`,
      'prepared',
    );
  }
  const want = weightsOf(p);
  const got = prepared.weights;
  const same =
    got.A === want.A &&
    got.D === want.D &&
    got.dtBias === want.dtBias &&
    got.conv?.weight === want.conv?.weight &&
    got.conv?.bias === want.conv?.bias;
  if (!same) {
    throw new InvalidArgumentError(
      `${CALLER}: the prepared buffers were made from other weights`,
      'prepared',
    );
  }
}

/**
 * What `kernel` needs from a layer's weights, built once (host setup, not while capturing); the
 * caller owns it and passes it to every `selectiveStateUpdateWith` call on these weights.
 */
export function prepareSelectiveStateUpdate(
  kernel: string,
  weights: StateUpdateWeights,
): PreparedStateUpdate | undefined {
  const caller = 'prepareSelectiveStateUpdate';
  const version = kernelNamed(caller, SELECTIVE_STATE_UPDATE_KERNELS, kernel) as StateUpdateKernel;
  if (kernel === v2FusedStep.name && !weights.conv) {
    throw new InvalidArgumentError(
      `${caller}: ${kernel} fuses the conv step; pass the conv weights`,
      'weights',
    );
  }
  return version.prepare(weights);
}

/** Options of `selectiveStateUpdateWith`. */
export interface StateUpdateOptions {
  /** Run this version instead of the automatic choice (default: the prepared one's, if any). */
  kernel?: string;
  /** Buffers from `prepareSelectiveStateUpdate` for these weights (else prepared per call). */
  prepared?: PreparedStateUpdate | undefined;
}

/** selectiveStateUpdate with a named version and buffers prepared once. */
export function selectiveStateUpdateWith(
  ctx: GpuContext,
  args: SelectiveStateUpdateArgs,
  options: StateUpdateOptions = {},
): Tensor<'f32'> {
  const problem = validateStateUpdate(ctx, args);
  let prepared = options.prepared;
  try {
    const name = options.kernel ?? options.prepared?.kernel;
    const kernel = pickKernel(CALLER, SELECTIVE_STATE_UPDATE_KERNELS, problem, name) as StateUpdateKernel;
    if (options.prepared) checkPrepared(problem, kernel, options.prepared);
    prepared ??= kernel.prepare(weightsOf(problem));
    kernel.record({ ...problem, prepared });
  } catch (error) {
    if (!args.out) problem.out.dispose();
    throw error;
  } finally {
    // Released now, still recorded: a later user of the pooled buffer runs after this dispatch.
    if (!options.prepared) prepared?.dispose();
  }
  return problem.out;
}

/**
 * One decode step: `dt = softplus(dt + dtBias)`, `state = exp(dt A) state + dt B x` (in place),
 * returns y (batch, dInner) = `(C . state + D x) * silu(z)` (`out` when given, else a new tensor
 * the caller owns). With `conv`, x is
 * first replaced by `silu(causalConv1dUpdate(x))` (conv state shifted in place); with `dtProj`,
 * dt (batch, dtRank) by `dt @ dtProj^T`: the fused decode step of a Mamba mixer after x_proj.
 * The fused version packs the per-channel weights per call; inside a capture, or step after step,
 * prepare them once (`prepareSelectiveStateUpdate`, internal) and call `selectiveStateUpdateWith`.
 * @throws ShapeError, DTypeError, LayoutError (an in-place tensor is a view), LimitError.
 */
export function selectiveStateUpdate(ctx: GpuContext, args: SelectiveStateUpdateArgs): Tensor<'f32'> {
  return selectiveStateUpdateWith(ctx, args);
}
