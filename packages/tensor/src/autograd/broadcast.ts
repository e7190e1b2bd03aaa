// Differentiable broadcast: x read through a stride-0 view (no copy) as a larger shape, NumPy
// rules (x's dims aligned to the right; a missing or size-1 dim is repeated). The backward SUMS
// the gradient over the repeated dims (sumRows, fixed order) — `view`'s backward writes dy
// where the view reads, which is only right when no element is read twice.

import { ShapeError, formatShape } from '../errors.js';
import { contiguous } from '../ops/copy/contiguous.js';
import { sumRows } from '../ops/reduce/sum-rows.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Tape, retain } from './tape.js';

/** Which dims of `shape` repeat x (broadcast) and which carry one of x's dims (kept). */
function broadcastPlan(x: Tensor, shape: readonly number[]) {
  const lead = shape.length - x.shape.length;
  const fits =
    lead >= 0 &&
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    x.shape.every((d, k) => d === shape[lead + k] || d === 1);
  if (!fits) {
    throw new ShapeError(
      `autograd.broadcast: x ${formatShape(x.shape)} must broadcast to ${formatShape(shape)} (x's dims aligned right, each equal or 1), got ${formatShape(shape)}`,
    );
  }
  const strides = shape.map((d, i) => {
    const k = i - lead;
    return k >= 0 && x.shape[k] === d && d !== 1 ? x.strides[k]! : 0;
  });
  const repeated = shape.map((_, i) => i).filter((i) => strides[i] === 0 && shape[i] !== 1);
  const kept = shape.map((_, i) => i).filter((i) => !repeated.includes(i));
  return { strides, repeated, kept };
}

/**
 * x broadcast to `shape` (a view sharing x's buffer: read it, do not write it). x: any layout,
 * its dims aligned to the right of `shape`, each equal to the target or 1. Gradient: dy summed
 * over the broadcast dims, reshaped to x's shape.
 */
export function broadcast<T extends Tensor>(tape: Tape, x: T, shape: readonly number[]): T {
  const { strides, repeated, kept } = broadcastPlan(x, shape);
  const y = x.view({ shape, strides, offset: 0 }) as T;
  const inShape = [...x.shape];
  tape.record({
    name: 'broadcast',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => {
      const g = dy!;
      if (repeated.length === 0) {
        const p = g.isPlain ? retain(g) : contiguous(g);
        const dx = p.reshape(inShape);
        p.dispose();
        return [dx];
      }
      // dy with the broadcast dims first, made row-major: then sumRows reduces them in one go.
      const order = [...repeated, ...kept];
      const permuted = g.view({
        shape: order.map((i) => g.shape[i]!),
        strides: order.map((i) => g.strides[i]!),
        offset: 0,
      });
      const copy = contiguous(permuted);
      permuted.dispose();
      const cols = kept.reduce((n, i) => n * shape[i]!, 1);
      const rows = copy.reshape([copy.numel / Math.max(cols, 1), cols]);
      copy.dispose();
      const sums = sumRows(rows, [cols]);
      rows.dispose();
      const dx = sums.reshape(inShape);
      sums.dispose();
      return [dx];
    },
  });
  return y;
}
