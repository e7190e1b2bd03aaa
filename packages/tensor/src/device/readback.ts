// Readback: copies a buffer range into a mappable staging buffer (kept for reuse, sized to within
// 4x of the request), submits, maps it and returns a copy of the bytes. Ranges are widened to
// 4-byte alignment for the copy and trimmed back on return.

import type { CommandSink } from './command-sink.js';

/** Staging buffers for GPU -> host reads. */
export class Readback {
  private readonly free: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  /**
   * Reads `size` bytes at `offset` of `buffer` through `sink` (which must accept the copy and
   * submit it). When mapping fails, `onMapError` runs (to report the device error behind it)
   * before the mapping error is rethrown.
   */
  async read(
    sink: CommandSink,
    buffer: GPUBuffer,
    offset: number,
    size: number,
    onMapError: () => Promise<void>,
  ): Promise<ArrayBuffer> {
    const alignedOffset = offset & ~3;
    const alignedSize = Math.ceil((size + (offset - alignedOffset)) / 4) * 4;
    const staging = this.acquire(alignedSize);
    try {
      sink.copyBuffer('readBuffer', buffer, alignedOffset, staging, 0, alignedSize);
    } catch (error) {
      this.free.push(staging);
      throw error;
    }
    sink.submit();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, alignedSize);
    } catch (error) {
      await onMapError();
      throw error;
    }
    const start = offset - alignedOffset;
    const copy = staging.getMappedRange(0, alignedSize).slice(start, start + size);
    staging.unmap();
    this.free.push(staging);
    return copy;
  }

  /** Destroys the staging buffers. */
  destroy(): void {
    for (const b of this.free) b.destroy();
    this.free.length = 0;
  }

  private acquire(bytes: number): GPUBuffer {
    const index = this.free.findIndex((b) => b.size >= bytes && b.size <= bytes * 4);
    if (index >= 0) return this.free.splice(index, 1)[0]!;
    return this.device.createBuffer({
      size: Math.max(bytes, 256),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: 'tensor/read-staging',
    });
  }
}
