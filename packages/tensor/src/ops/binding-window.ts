// Binding windows: a storage binding over a range of a tensor's elements, with its offset aligned
// down to minStorageBufferOffsetAlignment and the range's start passed to the kernel as an element
// offset. Ops use them to split tensors larger than maxStorageBufferBindingSize into chunks.

import type { GpuContext } from '../device/context.js';
import { LayoutError, LimitError } from '../errors.js';
import { layoutExtent } from '../tensor/layout.js';
import { type DType, storageUnit } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** A binding over some elements of a tensor; `elemOffset` is the first element's index in it. */
export interface BindingWindow {
  binding: { buffer: GPUBuffer; offset: number; size: number };
  elemOffset: number;
}

/** Options every chunking op accepts. */
export interface ChunkingOptions {
  /**
   * @internal Caps the bytes of one binding below the adapter's maxStorageBufferBindingSize, so
   * tests can exercise the split paths with small tensors.
   */
  maxBindingBytes?: number;
}

/**
 * Bytes per element of a dtype as stored (packed 16-bit types: 2; quantized types: their block's
 * bytes per element, fractional). For sizing only: windows are cut at whole storage units.
 */
export function elementBytes(tensor: Tensor): number {
  const unit = storageUnit(tensor.dtype);
  return unit.bytes / unit.elements;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Bytes at which a binding of `dtype` may start: a multiple of minStorageBufferOffsetAlignment
 * that is also a whole number of storage units (for 4-byte and packed 16-bit types the alignment
 * itself; q8's 36-byte blocks: 2304 bytes = 64 blocks).
 */
export function windowGranule(ctx: GpuContext, dtype: DType): number {
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const bytes = storageUnit(dtype).bytes;
  return (align / gcd(align, bytes)) * bytes;
}

/** The binding budget: the adapter limit, or a smaller test override. */
export function bindingBudget(ctx: GpuContext, override?: number): number {
  return Math.min(override ?? Number.POSITIVE_INFINITY, ctx.limits.maxStorageBufferBindingSize);
}

/**
 * Bytes a window may span for its elements, leaving room for the alignment slack at its start
 * and the rounding of its size up to 16 bytes.
 */
export function usableBytes(ctx: GpuContext, budget: number, dtype: DType = 'f32'): number {
  return budget - windowGranule(ctx, dtype) - storageUnit(dtype).bytes - 16;
}

/**
 * How many items of `itemBytes` bytes one window holds under `budget` (at least 1).
 * @throws LimitError when not even one item fits.
 */
export function itemsPerWindow(
  ctx: GpuContext,
  caller: string,
  what: string,
  itemBytes: number,
  budget: number,
  dtype: DType = 'f32',
): number {
  const n = Math.floor(usableBytes(ctx, budget, dtype) / Math.max(itemBytes, 1));
  if (n < 1) {
    throw new LimitError(
      `${caller}: one ${what} of ${itemBytes} bytes does not fit a binding of ${budget} bytes (maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize})`,
    );
  }
  return n;
}

/**
 * A window over elements [start, start + count) of a buffer holding `dtype` elements: the binding
 * starts at the window granule at or below the first element's storage unit and ends at the last
 * element's unit, rounded up to 16 bytes (and clamped to the buffer).
 */
function rawWindow(
  ctx: GpuContext,
  buffer: GPUBuffer,
  dtype: DType,
  start: number,
  count: number,
): BindingWindow {
  const unit = storageUnit(dtype);
  const granule = windowGranule(ctx, dtype);
  const begin = Math.floor(start / unit.elements) * unit.bytes;
  const end = Math.ceil((start + count) / unit.elements) * unit.bytes;
  const offset = Math.floor(begin / granule) * granule;
  const size = Math.min(Math.ceil((end - offset) / 16) * 16, buffer.size - offset);
  return { binding: { buffer, offset, size }, elemOffset: start - (offset / unit.bytes) * unit.elements };
}

/**
 * A binding over buffer elements [first, first + count) of `tensor`'s storage, whatever its
 * layout (count > 0): for kernels that index a strided view inside the window themselves.
 */
export function elementWindow(tensor: Tensor, first: number, count: number): BindingWindow {
  return rawWindow(tensor.ctx, tensor.storageBuffer, tensor.dtype, first, count);
}

/**
 * A binding covering elements [start, start + count) of a contiguous `tensor` (count > 0); a
 * contiguous view's offset is included.
 */
export function bindingWindow(tensor: Tensor, start: number, count: number): BindingWindow {
  if (!tensor.isContiguous) {
    throw new LayoutError(
      `bindingWindow(${tensor.label}): the tensor is a strided view; bind it with viewWindow`,
    );
  }
  return rawWindow(tensor.ctx, tensor.storageBuffer, tensor.dtype, tensor.offset + start, count);
}

/**
 * A binding over every element a (possibly strided) view touches; `elemOffset` is the index of its
 * element (0, ...) inside the binding, the `<name>_offset` a kernel adds to its strides.
 * @throws LimitError when the span exceeds `budget`.
 */
export function viewWindow(tensor: Tensor, caller: string, what: string, budget: number): BindingWindow {
  const extent = Math.max(layoutExtent(tensor), tensor.offset + 1);
  const window = rawWindow(
    tensor.ctx,
    tensor.storageBuffer,
    tensor.dtype,
    tensor.offset,
    extent - tensor.offset,
  );
  if (window.binding.size > budget) {
    throw new LimitError(
      `${caller}: ${what} spans ${window.binding.size} bytes, over the binding budget ${budget} (maxStorageBufferBindingSize ${tensor.ctx.limits.maxStorageBufferBindingSize})`,
    );
  }
  return window;
}

/**
 * A binding over the whole plain tensor (throws LimitError when it exceeds `budget`, LayoutError
 * for a view: see `viewWindow`).
 */
export function wholeBinding(tensor: Tensor, caller: string, what: string, budget: number): BindingWindow {
  const size = Math.min(Math.ceil(Math.max(tensor.byteLength, 4) / 16) * 16, tensor.buffer.size);
  if (size > budget) {
    throw new LimitError(
      `${caller}: ${what} needs a binding of ${size} bytes, over the binding budget ${budget} (maxStorageBufferBindingSize ${tensor.ctx.limits.maxStorageBufferBindingSize})`,
    );
  }
  return { binding: { buffer: tensor.buffer, offset: 0, size }, elemOffset: 0 };
}

const dummies = new WeakMap<GpuContext, { read: GPUBuffer; write: GPUBuffer }>();

function dummyPair(ctx: GpuContext): { read: GPUBuffer; write: GPUBuffer } {
  let pair = dummies.get(ctx);
  if (!pair) {
    const make = (label: string) =>
      ctx.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE, label });
    pair = { read: make('tensor/dummy-input'), write: make('tensor/dummy-output') };
    dummies.set(ctx, pair);
  }
  return pair;
}

/** A small per-context buffer bound where a kernel declares an optional input that is absent. */
export function dummyBinding(ctx: GpuContext): GPUBuffer {
  return dummyPair(ctx).read;
}

/**
 * A separate small buffer for an optional output that is not written (a buffer may not be bound
 * read-only and writable in one dispatch, so it cannot be the input dummy).
 */
export function dummyWritableBinding(ctx: GpuContext): GPUBuffer {
  return dummyPair(ctx).write;
}
