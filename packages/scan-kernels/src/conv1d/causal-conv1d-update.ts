// causalConv1dUpdate: one decode step of the depthwise causal conv1d. Validates at the boundary,
// then records a version of CAUSAL_CONV1D_UPDATE_KERNELS: v1-plain (the step, then a matmul when
// projected) or v2-gemv (the step fused into the projection, what the model's decode runs).

import {
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { pickKernel } from '@mamba-webgpu/tensor/internal';
import { checkConvWeight, requireTensor as requireTensorOf } from '../arg-checks.js';
import type {
  CausalConv1dUpdateArgs,
  CausalConv1dUpdateKernel,
  CausalConv1dUpdateProblem,
} from './causal-conv1d-update-types.js';
import { v1Plain } from './update-v1-plain.js';
import { v2Gemv } from './update-v2-gemv.js';

/** Every version, in order of introduction; the op runs the last automatic one that supports a problem. */
export const CAUSAL_CONV1D_UPDATE_KERNELS: readonly CausalConv1dUpdateKernel[] = [v1Plain, v2Gemv];

const CALLER = 'causalConv1dUpdate';

/**
 * Widest dInner the automatic choice sends to v2-gemv: every workgroup of the fused kernel
 * recomputes the conv of all dInner channels in its prologue, which at mamba-2.8b's 5120 cost more
 * than the dispatch it saves (H200, tune-decode: 25 us fused vs 17-20 us for v1-plain + matmul;
 * at mamba-130m's 1536, 8.6 vs 9.3 us). Between 1536 and 5120 not measured.
 */
export const V2_GEMV_MAX_D_INNER = 2048;

function requireTensor(name: string, t: unknown): asserts t is Tensor {
  requireTensorOf(CALLER, name, t);
}

/** Checks the arguments and returns the problem with its sizes and output (allocated unless given). */
export function validateCausalConv1dUpdate(
  ctx: GpuContext,
  args: CausalConv1dUpdateArgs,
): CausalConv1dUpdateProblem {
  ctx.assertUsable(CALLER);
  requireTensor('x', args.x);
  requireTensor('convState', args.convState);
  requireTensor('weight', args.weight);
  const { x, convState, weight, bias, projection } = args;
  x.expectDType(CALLER, 'x', 'f32');
  if (x.shape.length !== 2)
    throw new ShapeError(`${CALLER}: x must be (batch, dInner), got ${formatShape(x.shape)}`);
  const [batch, dInner] = x.shape as [number, number];
  const width = checkConvWeight(CALLER, 'weight', weight, dInner);
  convState.expectDType(CALLER, 'convState', 'f32');
  convState.expectShape(CALLER, 'convState', [batch, dInner, width], '(batch, dInner, width)');
  if (!convState.isPlain) {
    throw new LayoutError(
      `${CALLER}: convState must be a contiguous tensor (it is updated in place), got a strided view`,
    );
  }
  if (x.sharesStorage(convState)) {
    throw new InvalidArgumentError(`${CALLER}: x must not share memory with convState`, 'x');
  }
  if (bias) {
    requireTensor('bias', bias);
    bias.expectDType(CALLER, 'bias', 'f32');
    bias.expectShape(CALLER, 'bias', [dInner], '(dInner)');
  }
  if (projection) {
    requireTensor('projection', projection);
    projection.expectDType(CALLER, 'projection', 'f32', 'f16', 'bf16', 'q8', 'q4');
    projection.expectShape(CALLER, 'projection', [-1, dInner], '(n, dInner)');
  }
  if (args.updateState !== undefined && typeof args.updateState !== 'boolean') {
    throw new InvalidArgumentError(
      `${CALLER}: updateState must be a boolean, got ${String(args.updateState)}`,
      'updateState',
    );
  }
  const outShape = [batch, projection ? projection.shape[0]! : dInner];
  let out = args.out as Tensor<'f32'> | undefined;
  if (out) {
    requireTensor('out', out);
    out.expectDType(CALLER, 'out', 'f32');
    out.expectShape(CALLER, 'out', outShape, projection ? '(batch, n)' : '(batch, dInner)');
    if (!out.isPlain) throw new LayoutError(`${CALLER}: out must be a contiguous tensor, got a strided view`);
    for (const t of [x, convState, weight, bias, projection]) {
      if (t?.sharesStorage(out))
        throw new InvalidArgumentError(`${CALLER}: out must not share memory with an input`, 'out');
    }
  }
  out ??= Tensor.empty(ctx, outShape, 'f32', 'causal-conv1d-update/out');
  return {
    ctx,
    batch,
    dInner,
    width,
    x,
    convState,
    weight,
    bias,
    silu: !!args.silu,
    updateState: args.updateState ?? true,
    projection,
    out,
  };
}

/** causalConv1dUpdate with a named version instead of the automatic choice. */
export function causalConv1dUpdateWith(
  ctx: GpuContext,
  args: CausalConv1dUpdateArgs,
  options: { kernel?: string } = {},
): Tensor<'f32'> {
  const problem = validateCausalConv1dUpdate(ctx, args);
  try {
    const name = options.kernel ?? (problem.dInner > V2_GEMV_MAX_D_INNER ? 'v1-plain' : undefined);
    pickKernel(CALLER, CAUSAL_CONV1D_UPDATE_KERNELS, problem, name).record(problem);
  } catch (error) {
    if (!args.out) problem.out.dispose();
    throw error;
  }
  return problem.out;
}

/**
 * One decode step of the causal conv1d: shifts `convState` left and appends x (in place, on the
 * GPU; not with `updateState: false`), y (batch, dInner) = bias + sum(convState * weight),
 * optionally SiLU'd; with `projection` (n, dInner) returns `y @ projection^T` (batch, n) instead.
 * Inputs are borrowed; the result is `out` when given, else a new tensor the caller owns.
 * @throws ShapeError, DTypeError, LayoutError (convState a view), LimitError (width outside 2..8).
 */
export function causalConv1dUpdate(ctx: GpuContext, args: CausalConv1dUpdateArgs): Tensor<'f32'> {
  return causalConv1dUpdateWith(ctx, args);
}
