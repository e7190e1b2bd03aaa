// The capture command sink: records dispatches (bind groups and params made once) instead of
// encoding them, holds the buffers released meanwhile for the recording, and refuses work a
// replay could not repeat (host writes, reads, copies, timing, nested replays).

import { InvalidStateError } from '../errors.js';
import type { BufferPool } from './buffer-pool.js';
import type { BindGroupMaker, CheckedDispatch, CommandSink, RecordedDispatch } from './command-sink.js';
import { RecordingArena } from './uniform-arena.js';

/** What a finished capture hands to its Recording. */
export interface CapturedSequence {
  label: string;
  commands: RecordedDispatch[];
  /** Intermediate buffers released during the capture, reserved for the replays. */
  buffers: GPUBuffer[];
  /** The uniform buffers holding the recorded params. */
  arenas: GPUBuffer[];
}

/** Records dispatches for replay; starts holding the pool's released buffers when created. */
export class CaptureSink implements CommandSink {
  private readonly commands: RecordedDispatch[] = [];
  private readonly arena: RecordingArena;

  constructor(
    readonly label: string,
    device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly makeBindGroup: BindGroupMaker,
  ) {
    this.arena = new RecordingArena(device, label);
    pool.beginHold();
  }

  dispatch({ options, label, x, y, z }: CheckedDispatch): void {
    let bindGroup = options.bindGroup;
    if (!bindGroup) {
      const params = options.params ? this.arena.place(options.params) : undefined;
      bindGroup = this.makeBindGroup(options.pipeline, options.bindings ?? [], params, options.label);
    }
    this.commands.push({ label, pipeline: options.pipeline, bindGroup, x, y, z });
  }

  replay(caller: string): void {
    throw new InvalidStateError(`${caller}: not allowed while capturing '${this.label}'`);
  }

  copyBuffer(caller: string): void {
    this.refuse(caller);
  }

  writeBuffer(caller: string): void {
    this.refuse(caller);
  }

  timestampPass(caller: string): void {
    this.refuse(caller);
  }

  /** Nothing is encoded during a capture: nothing to submit. */
  submit(): void {}

  /** Stops holding buffers and returns what was captured (the caller owns it). */
  finish(): CapturedSequence {
    return {
      label: this.label,
      commands: this.commands,
      buffers: this.pool.endHold(),
      arenas: this.arena.take(),
    };
  }

  private refuse(caller: string): never {
    throw new InvalidStateError(
      `${caller}: not allowed while capturing '${this.label}' (host work is not replayed)`,
    );
  }
}
