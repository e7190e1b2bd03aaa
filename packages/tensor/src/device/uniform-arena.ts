// Uniform arenas for kernel parameters. The submission arena packs every dispatch's params of one
// submission into one buffer written just before submit (one writeBuffer, not one per dispatch);
// the recording arena places a capture's params once, in buffers the recording then owns.

import { LimitError } from '../errors.js';
import type { ParamsRange } from './command-sink.js';

/** Dynamic uniform offsets must be multiples of 256 bytes (minUniformBufferOffsetAlignment). */
const ALIGNMENT = 256;

function alignedSize(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}

/**
 * The params of one submission, staged on the host and uploaded by `upload()` just before the
 * submit. When it is full, `place` calls `onFull` (which must submit, and so upload) first.
 */
export class SubmissionArena {
  static readonly BYTES = 1 << 20;
  private readonly buffer: GPUBuffer;
  private readonly staged = new Uint8Array(SubmissionArena.BYTES);
  private used = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly onFull: () => void,
  ) {
    this.buffer = device.createBuffer({
      size: SubmissionArena.BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'tensor/params-arena',
    });
  }

  /** Stages `data` and returns the range it will occupy once uploaded. */
  place(data: ArrayBuffer): ParamsRange {
    const size = alignedSize(data.byteLength);
    if (size > SubmissionArena.BYTES) {
      throw new LimitError(
        `dispatch: params of ${data.byteLength} bytes exceed the ${SubmissionArena.BYTES}-byte arena`,
      );
    }
    if (this.used + size > SubmissionArena.BYTES) this.onFull();
    const offset = this.used;
    this.staged.set(new Uint8Array(data), offset);
    this.used += size;
    return { buffer: this.buffer, offset, size: data.byteLength };
  }

  /** Writes the staged params to the GPU (queue order: before the submit that follows). */
  upload(): void {
    if (this.used === 0) return;
    this.device.queue.writeBuffer(this.buffer, 0, this.staged, 0, this.used);
    this.used = 0;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * The params of a capture, written once into 64 KiB buffers that live as long as the recording
 * (replays bind them as they are). `take()` hands the buffers over.
 */
export class RecordingArena {
  static readonly BYTES = 64 << 10;
  private buffers: GPUBuffer[] = [];
  private used = RecordingArena.BYTES;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
  ) {}

  /** Writes `data` into the current buffer (a new one when full) and returns its range. */
  place(data: ArrayBuffer): ParamsRange {
    const size = alignedSize(data.byteLength);
    if (size > RecordingArena.BYTES) {
      throw new LimitError(
        `dispatch: params of ${data.byteLength} bytes exceed the ${RecordingArena.BYTES}-byte capture arena`,
      );
    }
    if (this.used + size > RecordingArena.BYTES) {
      this.buffers.push(
        this.device.createBuffer({
          size: RecordingArena.BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          label: `capture/${this.label}/params`,
        }),
      );
      this.used = 0;
    }
    const buffer = this.buffers[this.buffers.length - 1]!;
    const offset = this.used;
    this.device.queue.writeBuffer(buffer, offset, data);
    this.used += size;
    return { buffer, offset, size: data.byteLength };
  }

  /** The buffers written so far; the caller owns (and destroys) them. */
  take(): GPUBuffer[] {
    const buffers = this.buffers;
    this.buffers = [];
    this.used = RecordingArena.BYTES;
    return buffers;
  }
}
