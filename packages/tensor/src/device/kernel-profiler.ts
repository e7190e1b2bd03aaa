// Kernel profiler: while active, the live sink gives every dispatch its own compute pass bracketed
// by timestamp queries, and this part resolves them at each submit and sums GPU time per kernel
// label. A dispatch alone in a pass pays the pass's fixed cost (~12.7 µs against ~4.4 µs inside a
// shared pass on an H200), so totals over-count small kernels; they say where time goes, not
// what the step costs unprofiled.

/** GPU time spent in one kernel label while profiling. */
export interface KernelTime {
  label: string;
  /** Dispatches with this label. */
  count: number;
  /** Summed GPU time in milliseconds. */
  ms: number;
}

/** Query pairs per query set: a submission with more dispatches is split. */
const PAIRS = 2048;

interface Chunk {
  querySet: GPUQuerySet;
  labels: string[];
}

/** Collects per-dispatch timestamps through the live sink. */
export class KernelProfiler {
  private chunk: Chunk | undefined;
  private readonly pending: Promise<void>[] = [];
  private readonly totals = new Map<string, KernelTime>();

  constructor(private readonly device: GPUDevice) {}

  /** True when the current query set has no room for another dispatch. */
  get full(): boolean {
    return (this.chunk?.labels.length ?? 0) >= PAIRS;
  }

  /** The pass descriptor for the next dispatch, labelled `label`. */
  passFor(label: string): GPUComputePassDescriptor {
    this.chunk ??= {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: 2 * PAIRS, label: 'tensor/profile' }),
      labels: [],
    };
    const i = this.chunk.labels.length;
    this.chunk.labels.push(label);
    return {
      label: `profile/${label}`,
      timestampWrites: {
        querySet: this.chunk.querySet,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  /**
   * Called by the sink before it finishes `encoder`: resolves the chunk's timestamps and copies
   * them to a mappable buffer; returns what to run once the encoder was submitted.
   */
  resolve(encoder: GPUCommandEncoder): (() => void) | undefined {
    const chunk = this.chunk;
    if (!chunk || chunk.labels.length === 0) return undefined;
    this.chunk = undefined;
    const bytes = chunk.labels.length * 16;
    const resolveBuffer = this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      label: 'tensor/profile-resolve',
    });
    const readBuffer = this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: 'tensor/profile-read',
    });
    encoder.resolveQuerySet(chunk.querySet, 0, chunk.labels.length * 2, resolveBuffer, 0);
    encoder.copyBufferToBuffer(resolveBuffer, 0, readBuffer, 0, bytes);
    return () => {
      this.pending.push(
        readBuffer.mapAsync(GPUMapMode.READ).then(() => {
          const stamps = new BigUint64Array(readBuffer.getMappedRange().slice(0));
          readBuffer.unmap();
          chunk.labels.forEach((label, i) => {
            const ns = Number(stamps[2 * i + 1]! - stamps[2 * i]!);
            const t = this.totals.get(label) ?? { label, count: 0, ms: 0 };
            t.count++;
            // A pass whose end stamp reads before its begin (clock domain wrap) counts as zero.
            t.ms += Math.max(0, ns) / 1e6;
            this.totals.set(label, t);
          });
          readBuffer.destroy();
          resolveBuffer.destroy();
          chunk.querySet.destroy();
        }),
      );
    };
  }

  /** Waits for every resolved chunk and returns the per-label totals, largest first. */
  async finish(): Promise<KernelTime[]> {
    await Promise.all(this.pending);
    return [...this.totals.values()].sort((a, b) => b.ms - a.ms);
  }
}
