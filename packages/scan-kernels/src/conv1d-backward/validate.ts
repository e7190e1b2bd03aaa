// Boundary checks of causalConv1dBackward: every shape, dtype, flag and limit is checked here,
// before any GPU work, with typed errors that start with the function's name and say what was
// expected and what came.

import {
  DisposedError,
  type GpuContext,
  InvalidArgumentError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { checkConvWeight } from '../arg-checks.js';
import type { CausalConv1dBackwardArgs, Conv1dBackwardShape } from './types.js';

const CALLER = 'causalConv1dBackward';

function checkTensor(ctx: GpuContext, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    throw new InvalidArgumentError(`${CALLER}: ${name} must be a Tensor, got ${typeof t}`, name);
  }
  if (t.isDisposed) throw new DisposedError(`${CALLER}: ${name} ('${t.label}') was disposed`);
  if (t.ctx !== ctx) {
    throw new InvalidArgumentError(`${CALLER}: ${name} belongs to another GpuContext`, name);
  }
  t.expectDType(CALLER, name, 'f32');
}

/**
 * The sizes of a backward problem, or a typed error (ShapeError, DTypeError, LimitError,
 * InvalidArgumentError, DisposedError) whose message starts with `causalConv1dBackward:`.
 * x, dy: (batch, dInner, seqLen); weight: (dInner, width); bias: (dInner);
 * initialState: (batch, dInner, width - 1) or (batch, dInner, width).
 */
export function validateConv1dBackward(ctx: GpuContext, args: CausalConv1dBackwardArgs): Conv1dBackwardShape {
  ctx.assertUsable(CALLER);
  if (typeof args !== 'object' || args === null) {
    throw new InvalidArgumentError(`${CALLER}: args must be an object, got ${String(args)}`, 'args');
  }
  const { x, weight, bias, initialState, dy, silu } = args;
  checkTensor(ctx, 'x', x);
  if (x.shape.length !== 3 || x.shape.some((size) => size < 1)) {
    throw new ShapeError(
      `${CALLER}: x must be (batch, dInner, seqLen) with sizes >= 1, got ${formatShape(x.shape)}`,
    );
  }
  const [batch, dInner, seqLen] = x.shape as [number, number, number];
  checkTensor(ctx, 'weight', weight);
  const width = checkConvWeight(CALLER, 'weight', weight, dInner);
  if (bias !== undefined) {
    checkTensor(ctx, 'bias', bias);
    bias.expectShape(CALLER, 'bias', [dInner], '(dInner)');
  }
  let initWidth = 0;
  if (initialState !== undefined) {
    checkTensor(ctx, 'initialState', initialState);
    const columns = initialState.shape[2];
    initWidth = columns === width ? width : width - 1;
    initialState.expectShape(
      CALLER,
      'initialState',
      [batch, dInner, initWidth],
      '(batch, dInner, width - 1)',
    );
  }
  checkTensor(ctx, 'dy', dy);
  dy.expectShape(CALLER, 'dy', [batch, dInner, seqLen], '(batch, dInner, seqLen)');
  if (silu !== undefined && typeof silu !== 'boolean') {
    throw new InvalidArgumentError(`${CALLER}: silu must be a boolean, got ${String(silu)}`, 'silu');
  }
  ctx.checkBindingSize(CALLER, 'x (batch, dInner, seqLen)', x.byteLength);
  return { batch, dInner, seqLen, width, initWidth, hasBias: bias !== undefined, silu: silu === true };
}
