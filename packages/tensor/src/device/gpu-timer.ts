// GPU timer: brackets one compute pass with timestamp queries and returns its GPU time. One
// query set and resolve buffer serve every call: each read is copied out in the submission that
// resolved it, so consecutive calls cannot mix their values.

import type { CommandSink, TimestampTarget } from './command-sink.js';

/** Times passes with `timestamp-query` (the device must have the feature). */
export class GpuTimer {
  private target: TimestampTarget | undefined;

  constructor(private readonly device: GPUDevice) {}

  /**
   * Records `record` in one timed pass through `sink`, reads the two timestamps back with
   * `read` and returns the GPU time in milliseconds.
   */
  async time(
    sink: CommandSink,
    read: (buffer: GPUBuffer) => Promise<ArrayBuffer>,
    record: () => void,
  ): Promise<number> {
    const target = this.getTarget();
    sink.timestampPass('timeGpu', target, record);
    const [begin, end] = new BigUint64Array(await read(target.resolve));
    return Number(end! - begin!) / 1e6;
  }

  /** Destroys the query set and its resolve buffer. */
  destroy(): void {
    this.target?.querySet.destroy();
    this.target?.resolve.destroy();
    this.target = undefined;
  }

  private getTarget(): TimestampTarget {
    this.target ??= {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: 2, label: 'tensor/timestamps' }),
      resolve: this.device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        label: 'tensor/timestamps-resolve',
      }),
    };
    return this.target;
  }
}
