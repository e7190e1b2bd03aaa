// Recording: a captured sequence of dispatches with its bind groups, parameters and intermediate
// buffers, replayed without re-creating any of them (the decode step of a generation session is
// recorded once and replayed per token).

import { DisposedError } from '../errors.js';
import type { RecordedDispatch } from './command-sink.js';
import type { GpuContext } from './context.js';

/**
 * A captured sequence of dispatches, made by `GpuContext.captureSequence`. Inputs and outputs
 * must live in buffers that stay the same (in-place state tensors, GPU-side counters); host
 * writes are not part of a capture. The caller owns it: `dispose()` frees what it holds.
 */
export class Recording {
  private disposed = false;
  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
    private readonly commands: readonly RecordedDispatch[],
    private readonly buffers: readonly GPUBuffer[],
    private readonly arenas: readonly GPUBuffer[],
  ) {}

  /** Dispatches recorded. */
  get length(): number {
    return this.commands.length;
  }

  /** Records the whole sequence (or dispatches [start, end), for profiling) into the current pass. */
  replay(start = 0, end = this.commands.length): void {
    if (this.disposed) throw new DisposedError(`Recording.replay: recording '${this.label}' was disposed`);
    this.ctx.replayCommands(
      start === 0 && end === this.commands.length ? this.commands : this.commands.slice(start, end),
    );
  }

  /** The label of each recorded dispatch, in order. */
  get labels(): string[] {
    return this.commands.map((c) => c.label);
  }

  /** Returns the intermediate buffers to the pool and frees the parameter memory. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ctx.flush();
    for (const b of this.buffers) this.ctx.pool.release(b, true);
    for (const a of this.arenas) a.destroy();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
