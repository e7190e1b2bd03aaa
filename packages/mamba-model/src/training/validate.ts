// Validation shared by the training layer's public functions, run before any GPU work: tensors
// are live, f32, contiguous and on one context; gradients match their parameters' shapes.
// Messages start with the function and say what was expected and what came.

import {
  DisposedError,
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { type Named, namedEntries, namedGetter } from './named.js';

/** Throws unless `tensor` is a live, contiguous f32 Tensor on `ctx` (when given). */
export function checkF32Tensor(
  caller: string,
  what: string,
  tensor: unknown,
  ctx?: GpuContext,
): Tensor<'f32'> {
  if (!(tensor instanceof Tensor)) {
    throw new InvalidArgumentError(`${caller}: ${what} must be a Tensor, got ${typeof tensor}`, what);
  }
  if (tensor.isDisposed) throw new DisposedError(`${caller}: ${what} ('${tensor.label}') was disposed`);
  tensor.expectDType(caller, what, 'f32');
  if (!tensor.isContiguous) {
    throw new LayoutError(
      `${caller}: ${what} must be contiguous, got ${formatShape(tensor.shape)} strides ${formatShape(tensor.strides)}; pass contiguous(x)`,
    );
  }
  if (ctx !== undefined && tensor.ctx !== ctx) {
    throw new InvalidArgumentError(
      `${caller}: ${what} must be on the same GPU context as the first tensor`,
      what,
    );
  }
  return tensor as Tensor<'f32'>;
}

/** Checks a non-empty list of named gradients (f32, contiguous, one context); returns it. */
export function checkGradients(caller: string, entries: [string, Tensor][]): [string, Tensor][] {
  if (entries.length === 0) {
    throw new InvalidArgumentError(`${caller}: grads must hold at least one gradient, got none`, 'grads');
  }
  const ctx = checkF32Tensor(caller, `grad ${entries[0]![0]}`, entries[0]![1]).ctx;
  for (const [name, grad] of entries) checkF32Tensor(caller, `grad ${name}`, grad, ctx);
  return entries;
}

/**
 * The gradients of `params`, in the parameters' order: every parameter must have one of its
 * shape, and every gradient must belong to a parameter.
 */
export function matchGradients(
  caller: string,
  params: readonly (readonly [string, Tensor])[],
  grads: Named<Tensor>,
  ctx: GpuContext,
): Tensor<'f32'>[] {
  const get = namedGetter(grads);
  const known = new Set(params.map(([name]) => name));
  for (const [name] of namedEntries(grads)) {
    if (!known.has(name)) {
      const sample = [...known].slice(0, 3).join(', ');
      throw new InvalidArgumentError(
        `${caller}: grad ${name} matches no parameter (parameters: ${sample}, ...)`,
        'grads',
      );
    }
  }
  return params.map(([name, param]) => {
    const grad = get(name);
    if (grad === undefined) {
      throw new InvalidArgumentError(
        `${caller}: grads must hold a gradient for ${name}, it is missing`,
        'grads',
      );
    }
    const checked = checkF32Tensor(caller, `grad ${name}`, grad, ctx);
    if (checked.shape.length !== param.shape.length || checked.shape.some((d, i) => d !== param.shape[i])) {
      throw new ShapeError(
        `${caller}: grad ${name} must be ${formatShape(param.shape)} like its parameter, got ${formatShape(checked.shape)}`,
      );
    }
    return checked;
  });
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(caller: string, argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `${caller}: ${argument} must be an integer >= ${min}, got ${String(value)}`,
      argument,
    );
  }
  return value;
}
