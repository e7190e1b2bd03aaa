// Argument checks shared by the ops' public boundaries: a value must be a live Tensor, and an
// `out` tensor the caller passes must have the result's dtype and shape, be contiguous and not
// share memory with an input.

import { InvalidArgumentError, LayoutError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Throws InvalidArgumentError `<caller>: <name> must be a Tensor, got ...` unless `t` is one. */
export function requireTensor(caller: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    const got = t === null ? 'null' : typeof t === 'object' ? (t.constructor?.name ?? 'an object') : typeof t;
    throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor, got ${got}`, name);
  }
}

/**
 * Checks an output tensor the caller passes in: f32 of `shape` (`legend` names the dims),
 * contiguous (a kernel writes it through one window), sharing no memory with the named `inputs`.
 */
export function checkOutput(
  caller: string,
  name: string,
  t: unknown,
  shape: readonly number[],
  legend: string,
  inputs: Readonly<Record<string, Tensor | undefined>>,
): asserts t is Tensor<'f32'> {
  requireTensor(caller, name, t);
  t.expectDType(caller, name, 'f32');
  t.expectShape(caller, name, shape, legend);
  if (!t.isContiguous) {
    throw new LayoutError(
      `${caller}: ${name} must be contiguous (a strided view cannot be written in place); pass a contiguous tensor`,
    );
  }
  for (const [input, tensor] of Object.entries(inputs)) {
    if (tensor?.sharesStorage(t)) {
      throw new InvalidArgumentError(`${caller}: ${name} must not share memory with ${input}`, name);
    }
  }
}
