// contiguous(): the one shared path from a strided view to a row-major tensor. Kernels whose
// versions do not accept an operand's strides get a copy made here (`contiguousOperand`), never
// ad hoc. Views are copied by copyInto's strided kernel over the view coalesced to at most 4 dims
// (f16/bf16 views, always contiguous, with copyBufferToBuffer).

import { LimitError } from '../../errors.js';
import { isPacked16, isQuantized } from '../../tensor/dtype.js';
import { coalesceLayout } from '../../tensor/layout.js';
import { Tensor } from '../../tensor/tensor.js';
import { copyInto } from './copy-into.js';

/** Dims a strided view may have after merging (copyInto's rank). */
const MAX_RANK = 4;

/**
 * A row-major copy of `x` (a new tensor the caller owns), or a new reference to `x` itself when
 * it already is plain (contiguous from element 0): either way, dispose the result.
 * x: any shape, any dtype (strided views: 4-byte dtypes; f16/bf16 views are contiguous). A view
 * of a quantized (q8/q4) tensor comes back dequantized to f32: quantized tensors are read-only
 * weights, made only by upload.
 */
export function contiguous<T extends Tensor>(x: T): T {
  const ctx = x.ctx;
  if (x.isPlain) return x.reshape(x.shape) as T;
  const dtype = isQuantized(x.dtype) ? 'f32' : x.dtype;
  const out = Tensor.empty(ctx, x.shape, dtype, `${x.label}/contiguous`) as T;
  if (x.numel === 0) return out;
  if (x.isContiguous && isPacked16(x.dtype)) {
    // Packed halves (copyInto moves 4-byte elements); copyBufferToBuffer is the slower engine copy.
    const bytes = out.byteLength;
    const start = x.offset * (x.byteLength / x.numel);
    ctx.copyBuffer(x.storageBuffer, start, out.buffer, 0, Math.ceil(bytes / 4) * 4);
    return out;
  }
  // A strided gather: the view merged to at most 4 dims, copied into `out` seen the same way.
  const merged = coalesceLayout(x);
  if (merged.shape.length > MAX_RANK) {
    out.dispose();
    throw new LimitError(
      `contiguous: the view of ${x.label} needs ${merged.shape.length} dims after merging, more than ${MAX_RANK}`,
    );
  }
  const src = x.view({ shape: merged.shape, strides: merged.strides, offset: merged.offset - x.offset });
  const dst = out.reshape(merged.shape);
  try {
    copyInto(dst, src);
  } finally {
    src.dispose();
    dst.dispose();
  }
  return out;
}

/**
 * The operand a kernel that needs contiguity binds: `x` itself when plain, else a contiguous copy
 * pushed onto `temporaries` (dispose them after recording). The one shared path for kernel
 * versions whose `supports()` rejects an operand's strides.
 */
export function contiguousOperand<T extends Tensor>(x: T, temporaries: Tensor[]): T {
  if (x.isPlain) return x;
  const copy = contiguous(x);
  temporaries.push(copy);
  return copy;
}

/** A row-major copy of `x.transpose(a, b)` (new, caller owns): the view is made and let go here. */
export function contiguousTranspose<T extends Tensor>(x: T, a: number, b: number): T {
  const view = x.transpose(a, b) as T;
  const copy = contiguous(view);
  view.dispose();
  return copy;
}
