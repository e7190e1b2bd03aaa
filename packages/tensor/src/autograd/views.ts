// Differentiable layout ops: views forward (no copy), and backward the gradient put back into the
// base's layout — a transpose's gradient is the transposed gradient made contiguous, a slice's is
// zeros with the gradient written into the sliced region.

import { contiguous, contiguousTranspose } from '../ops/copy/contiguous.js';
import { LayoutError } from '../errors.js';
import { copyInto } from '../ops/copy/copy-into.js';
import { type Tensor, zeros } from '../tensor/tensor.js';
import { type Tape, retain } from './tape.js';

/** `x.transpose(a, b)` (a view); its gradient flows back transposed. */
export function transpose<T extends Tensor>(tape: Tape, x: T, a: number, b: number): T {
  const y = x.transpose(a, b) as T;
  tape.record({
    name: 'transpose',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => [contiguousTranspose(dy!, a, b)],
  });
  return y;
}

/** `x.slice(dim, start, end)` (a view); its gradient is zero outside the slice. */
export function slice<T extends Tensor>(tape: Tape, x: T, dim: number, start: number, end: number): T {
  const y = x.slice(dim, start, end) as T;
  const shape = [...x.shape];
  tape.record({
    name: 'slice',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => {
      const dx = zeros(dy!.ctx, shape, 'f32', 'slice-backward/dx');
      const region = dx.slice(dim, start, end);
      copyInto(region, dy!);
      region.dispose();
      return [dx];
    },
  });
  return y;
}

/** x as `shape` (x contiguous, or copied to be): a new reference; the gradient is reshaped back. */
export function reshape<T extends Tensor>(tape: Tape, x: T, shape: readonly number[]): T {
  const source = x.isPlain ? retain(x) : contiguous(x);
  const y = source.reshape(shape) as T;
  source.dispose();
  const inShape = [...x.shape];
  tape.record({
    name: 'reshape',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => {
      const p = dy!.isPlain ? retain(dy!) : contiguous(dy!);
      const dx = p.reshape(inShape);
      p.dispose();
      return [dx];
    },
  });
  return y;
}

/** A contiguous copy of x (or x itself, as a new reference, when already plain). */
export function makeContiguous<T extends Tensor>(tape: Tape, x: T): T {
  const y = contiguous(x);
  tape.record({
    name: 'contiguous',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => [retain(dy!)],
  });
  return y;
}

/**
 * A strided view of a plain tensor (`x.view(layout)`): its gradient is dy written where the view
 * reads and zero elsewhere (the view must not read one element twice; gradients of separate
 * views of one base add up on the tape).
 */
export function view<T extends Tensor>(
  tape: Tape,
  x: T,
  layout: { shape: readonly number[]; strides: readonly number[]; offset?: number },
): T {
  if (!x.isPlain) {
    throw new LayoutError(
      `autograd.view: the base must be plain (row-major from element 0), got a view of ${x.label}; view its base`,
    );
  }
  const y = x.view(layout) as T;
  const shape = [...x.shape];
  tape.record({
    name: 'view',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => {
      const dx = zeros(dy!.ctx, shape, 'f32', 'view-backward/dx');
      const region = dx.view(layout);
      copyInto(region, dy!);
      region.dispose();
      return [dx];
    },
  });
  return y;
}
