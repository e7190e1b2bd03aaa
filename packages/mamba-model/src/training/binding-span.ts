// Binding windows over element ranges of f32 buffers that several tensors share (a flat arena of
// parameters or gradients): the offset aligned down to minStorageBufferOffsetAlignment, the
// range's first element passed to the kernel as an element offset. Single tensors use
// tensor's `bindingWindow`; this is the same rule for a span that crosses tensors.

import type { GpuContext } from '@mamba-webgpu/tensor';

/** A storage binding over elements [begin, end) of `buffer` (4-byte elements). */
export interface SpanBinding {
  readonly binding: { buffer: GPUBuffer; offset: number; size: number };
  /** Index of element `begin` inside the binding. */
  readonly elemOffset: number;
}

/** The binding over f32 elements [begin, end) of `buffer`; `end - begin` must fit `itemsPerWindow`. */
export function spanBinding(ctx: GpuContext, buffer: GPUBuffer, begin: number, end: number): SpanBinding {
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const offset = Math.floor((begin * 4) / align) * align;
  const size = Math.min(Math.ceil((Math.max(end, begin + 1) * 4 - offset) / 16) * 16, buffer.size - offset);
  return { binding: { buffer, offset, size }, elemOffset: begin - offset / 4 };
}
