// Size-bucketed pool of GPU storage buffers. Sizes round up to a size class (2^k * (1 + j/8),
// at most 12.5% waste; from 64 MiB on, whole MiB: at most 1.6%), so a released buffer serves any
// later request of its class. Counts live and allocated buffers for leak tests.

/** Requests from this size on round up to whole MiB (activations and weights of real models). */
export const LARGE_BUFFER_BYTES = 64 << 20;

/** The size class a request of `bytes` rounds up to (>= 256 bytes, multiple of 256 above 4 KiB). */
export function sizeClass(bytes: number): number {
  if (bytes >= LARGE_BUFFER_BYTES) return Math.ceil(bytes / (1 << 20)) * (1 << 20);
  const b = Math.max(256, bytes);
  const k = Math.floor(Math.log2(b));
  const base = 2 ** k;
  if (base === b) return b;
  const step = Math.max(base / 8, 4);
  return base + Math.ceil((b - base) / step) * step;
}

export interface BufferPoolStats {
  /** Buffers handed out and not yet released. */
  liveBuffers: number;
  /** GPUBuffers currently existing (live + cached free ones). */
  allocatedBuffers: number;
  allocatedBytes: number;
  /** Bytes held by live buffers. */
  liveBytes: number;
  /** Largest `allocatedBytes` seen (since `resetPeak`): like PyTorch's reserved memory. */
  peakAllocatedBytes: number;
  /** Largest `liveBytes` seen (since `resetPeak`): like PyTorch's peak allocated memory. */
  peakLiveBytes: number;
}

export const STORAGE_USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  private held: GPUBuffer[] | undefined;
  private live = 0;
  private liveBytes = 0;
  private allocated = 0;
  private allocatedBytes = 0;
  private peak = 0;
  private peakLive = 0;
  private freeBytes = 0;
  /** Let go, destroyed after the next submit (see destroyReleased). */
  private doomed: [GPUBuffer, number][] = [];

  constructor(
    private readonly device: GPUDevice,
    /** Cached free bytes above which released buffers are destroyed (or the peak in use, if larger). */
    private readonly maxFreeBytes = 1 << 30,
  ) {}

  /** A storage buffer of at least `bytes` bytes (contents undefined). */
  acquire(bytes: number, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    if (this.held) {
      // Reuse within a capture is safe: replays run the dispatches in the recorded order.
      const index = this.held.findIndex((b) => this.sizes.get(b) === size);
      if (index >= 0) {
        const buffer = this.held.splice(index, 1)[0]!;
        buffer.label = label;
        return buffer;
      }
    }
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.freeBytes -= size;
      buffer.label = label;
    } else {
      buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.sizes.set(buffer, size);
      this.allocated++;
      this.allocatedBytes += size;
      this.peak = Math.max(this.peak, this.allocatedBytes);
    }
    this.live++;
    this.liveBytes += size;
    this.peakLive = Math.max(this.peakLive, this.liveBytes);
    return buffer;
  }

  /**
   * From now on, released buffers are held (still counted live) instead of returning to the
   * pool, until `endHold` hands them over: a captured command sequence keeps using them on every
   * replay. Acquires during the hold reuse held buffers first, so a capture keeps only its peak
   * of intermediates.
   */
  beginHold(): void {
    if (this.held) throw new Error('BufferPool.beginHold: already holding');
    this.held = [];
  }

  /** Stops holding; returns the held buffers (release them with `release(b, true)` later). */
  endHold(): GPUBuffer[] {
    const held = this.held ?? [];
    this.held = undefined;
    return held;
  }

  /** Returns a buffer from `acquire` to the pool (or to the current hold; `force` skips it). */
  release(buffer: GPUBuffer, force = false): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('BufferPool.release: buffer was not acquired from this pool');
    if (this.held && !force) {
      // Stays live: the recording owns it until it is disposed (acquire may reuse it meanwhile).
      this.held.push(buffer);
      return;
    }
    this.live--;
    this.liveBytes -= size;
    // Keep up to the larger of the cap and the peak in use: a training step frees and re-allocates
    // the same large activations every step (creating a GPU buffer costs far more than reusing one).
    if (this.freeBytes + size > Math.max(this.maxFreeBytes, this.peakLive)) {
      this.destroyOne(buffer, size);
      return;
    }
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
    this.freeBytes += size;
  }

  /**
   * Destroys every cached free buffer (and those let go before): call it with no recorded work
   * pending (after `ctx.sync()`), as the bench runner and `GpuContext.dispose` do.
   */
  trim(): void {
    for (const [size, list] of this.free) for (const buffer of list) this.destroyOne(buffer, size);
    this.free.clear();
    this.freeBytes = 0;
    this.destroyReleased();
  }

  stats(): BufferPoolStats {
    return {
      liveBuffers: this.live,
      allocatedBuffers: this.allocated,
      allocatedBytes: this.allocatedBytes,
      liveBytes: this.liveBytes,
      peakAllocatedBytes: this.peak,
      peakLiveBytes: this.peakLive,
    };
  }

  /** Resets the peak counters to the current allocation. */
  resetPeak(): void {
    this.peak = this.allocatedBytes;
    this.peakLive = this.liveBytes;
  }

  /**
   * Destroys the buffers let go since the last call. The context calls it right after each
   * submit: a buffer released while recorded-but-unsubmitted commands still use it must outlive
   * that submit (destroying it first makes the submit invalid); once submitted, destroying is safe.
   */
  destroyReleased(): void {
    const doomed = this.doomed;
    this.doomed = [];
    for (const [buffer, size] of doomed) {
      buffer.destroy();
      this.allocated--;
      this.allocatedBytes -= size;
    }
  }

  private destroyOne(buffer: GPUBuffer, size: number): void {
    this.doomed.push([buffer, size]);
  }
}
