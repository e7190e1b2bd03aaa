// CPU reference of the binary ops with a trailing-dims broadcast.

import type { BinaryOp } from './binary.js';

/** out[i] = a[i] op b[i % b.length] (a the larger operand). */
export function binaryRef(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const bv = b[i % b.length]!;
    out[i] = op === 'add' ? a[i]! + bv : a[i]! * bv;
  }
  return out;
}
