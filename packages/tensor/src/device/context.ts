// GpuContext: the thin front over one WebGPU device's parts (adapter.ts, buffer-pool.ts,
// pipeline-cache.ts, readback.ts, live-sink.ts / capture-sink.ts, gpu-timer.ts, device-health.ts):
// it checks arguments and limits, then hands the work to the part that does that one job.

import { DisposedError, InvalidStateError, LimitError } from '../errors.js';
import {
  type AdapterSummary,
  type GpuContextOptions,
  type GpuFeatures,
  describeAdapter,
  openDevice,
} from './adapter.js';
import { BufferPool, type BufferPoolStats } from './buffer-pool.js';
import { CaptureSink } from './capture-sink.js';
import type { Binding, CommandSink, DispatchOptions, ParamsRange, RecordedDispatch } from './command-sink.js';
import { DeviceHealth } from './device-health.js';
import { GpuTimer } from './gpu-timer.js';
import { KernelProfiler, type KernelTime } from './kernel-profiler.js';
import { LiveSink } from './live-sink.js';
import { PipelineCache } from './pipeline-cache.js';
import { Readback } from './readback.js';
import { Recording } from './recording.js';

export type { AdapterSummary, GpuContextOptions, GpuFeatures } from './adapter.js';
export type { Binding, DispatchOptions } from './command-sink.js';
export type { KernelTime } from './kernel-profiler.js';
export { Recording } from './recording.js';

/**
 * One WebGPU device with its real limits and features, a buffer pool, a pipeline cache, and a
 * command sink: live (consecutive dispatches share one compute pass; params go into one uniform
 * arena per submission) or, between `beginCapture` and `endCapture`, a capture for replay.
 */
export class GpuContext {
  readonly pool: BufferPool;
  private readonly pipelines: PipelineCache;
  private readonly health: DeviceHealth;
  private readonly readback: Readback;
  private readonly timer: GpuTimer;
  private readonly live: LiveSink;
  private capture: CaptureSink | undefined;
  /** Where commands go: the live sink, or the capture in progress (swapped by begin/endCapture). */
  private sink: CommandSink;
  private destroyed = false;
  private readonly makeBindGroup = this.createBindGroup.bind(this);

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    /** The adapter's limits (the device was requested with all of them). */
    readonly limits: GPUSupportedLimits,
    readonly features: GpuFeatures,
  ) {
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    this.health = new DeviceHealth(device, this.pipelines);
    this.readback = new Readback(device);
    this.timer = new GpuTimer(device);
    this.live = new LiveSink(device, this.makeBindGroup, () => this.pool.destroyReleased());
    this.sink = this.live;
  }

  /**
   * Requests an adapter and a device with the adapter's real limits and the optional features it
   * has (`subgroups`, `timestamp-query`, `shader-f16`).
   * @throws NoAdapterError with the remedy when no (matching) adapter exists.
   */
  static async create(options: GpuContextOptions = {}): Promise<GpuContext> {
    const { device, adapter, features } = await openDevice(options);
    return new GpuContext(device, adapter, device.limits, features);
  }

  /** A one-line description of the adapter for logs and bench headers. */
  describe(): string {
    return describeAdapter(this.adapter, this.features);
  }

  /** Dispatches recorded since creation (for overhead accounting). */
  get dispatchCount(): number {
    return this.live.dispatchCount;
  }

  // ----- checks --------------------------------------------------------------------------

  /** Throws when the context was disposed or its device was lost. */
  assertUsable(caller: string): void {
    if (this.destroyed) throw new DisposedError(`${caller}: the GpuContext was disposed`);
    this.health.assertAlive(caller);
  }

  /** Throws LimitError if one binding of `bytes` exceeds maxStorageBufferBindingSize. */
  checkBindingSize(caller: string, what: string, bytes: number): void {
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new LimitError(
        `${caller}: ${what} needs a binding of ${bytes} bytes, over this adapter's maxStorageBufferBindingSize ${this.limits.maxStorageBufferBindingSize}; split it into chunks`,
      );
    }
  }

  // ----- buffers -------------------------------------------------------------------------

  /** Writes bytes into a buffer. Records pending work first so ordering stays program order. */
  writeBuffer(buffer: GPUBuffer, offset: number, data: ArrayBufferView | ArrayBuffer): void {
    this.assertUsable('writeBuffer');
    let bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength % 4 !== 0) {
      const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      padded.set(bytes);
      bytes = padded;
    }
    this.sink.writeBuffer('writeBuffer', buffer, offset, bytes);
  }

  /** Reads `size` bytes at `offset` of a buffer (flushes pending work). */
  async readBuffer(buffer: GPUBuffer, offset = 0, size = buffer.size - offset): Promise<ArrayBuffer> {
    this.assertUsable('readBuffer');
    return this.readback.read(this.sink, buffer, offset, size, () => this.checkErrors('readBuffer'));
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.assertUsable('copyBuffer');
    this.sink.copyBuffer('copyBuffer', src, srcOffset, dst, dstOffset, size);
  }

  // ----- pipelines and dispatches -------------------------------------------------------

  /**
   * A compute pipeline, compiled once per `key` + constants (`layout: 'auto'`).
   * `key` must identify the code (it is also the kernel's label); constants are WGSL `override`
   * values. A shader that fails to compile is reported as ShaderCompileError by the next
   * `sync`/`checkErrors` (Dawn compiles asynchronously); later calls for it throw that error.
   */
  pipeline(
    key: string,
    code: string | (() => string),
    constants: Record<string, number> = {},
    entryPoint = 'main',
  ): GPUComputePipeline {
    return this.pipelines.get(key, code, constants, entryPoint);
  }

  /** Creates a bind group for `pipeline` from params and storage bindings (group 0). */
  createBindGroup(
    pipeline: GPUComputePipeline,
    bindings: readonly Binding[],
    params?: ParamsRange,
    label?: string,
  ): GPUBindGroup {
    return this.pipelines.bindGroup(pipeline, bindings, params, label);
  }

  /** Records one dispatch into the current compute pass (or the capture in progress). */
  dispatch(options: DispatchOptions): void {
    const label = options.label ?? options.pipeline.label;
    this.assertUsable(options.label ?? 'dispatch');
    const [x, y = 1, z = 1] = options.workgroups;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new LimitError(
        `dispatch(${label}): workgroups (${x}, ${y}, ${z}) exceed maxComputeWorkgroupsPerDimension ${max}`,
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    this.sink.dispatch({ options, label, x, y, z });
  }

  // ----- capture ------------------------------------------------------------------------

  /**
   * Starts capturing: dispatches are recorded (bind groups and parameters made once) instead of
   * encoded, and buffers released meanwhile stay reserved for the recording. End with
   * `endCapture()`. Host writes, reads and copies are refused while capturing.
   */
  beginCapture(label: string): void {
    this.assertUsable('beginCapture');
    if (this.capture)
      throw new InvalidStateError(`beginCapture(${label}): already capturing '${this.capture.label}'`);
    this.flush();
    this.capture = new CaptureSink(label, this.device, this.pool, this.makeBindGroup);
    this.sink = this.capture;
  }

  /** Ends the capture started by `beginCapture` and returns the recording (the caller owns it). */
  endCapture(): Recording {
    const capture = this.capture;
    if (!capture) throw new InvalidStateError('endCapture: no capture in progress');
    this.capture = undefined;
    this.sink = this.live;
    const { label, commands, buffers, arenas } = capture.finish();
    return new Recording(this, label, commands, buffers, arenas);
  }

  /** Runs `record` under capture and returns the recording; on error nothing is leaked. */
  captureSequence(label: string, record: () => void): Recording {
    this.beginCapture(label);
    try {
      record();
    } catch (error) {
      this.endCapture().dispose();
      throw error;
    }
    return this.endCapture();
  }

  /** @internal Encodes recorded dispatches (Recording.replay). */
  replayCommands(commands: readonly RecordedDispatch[]): void {
    this.assertUsable('Recording.replay');
    this.sink.replay('Recording.replay', commands);
  }

  // ----- submission and timing ----------------------------------------------------------

  /** Submits everything recorded so far. Cheap when nothing is pending. */
  flush(): void {
    this.live.submit();
  }

  /** Flushes and waits until the GPU finished everything; then reports captured errors. */
  async sync(caller = 'sync'): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors(caller);
  }

  /**
   * Runs `record` (which records dispatches) in one compute pass bracketed by GPU timestamps and
   * returns the GPU time in milliseconds, or undefined without `timestamp-query` (then `record`
   * runs and is waited for). For repeated timing with statistics use `measure()`.
   */
  async timeGpu(record: () => void): Promise<number | undefined> {
    this.assertUsable('timeGpu');
    if (!this.features.timestampQuery) {
      record();
      await this.sync('timeGpu');
      return undefined;
    }
    const ms = await this.timer.time(this.sink, (resolve) => this.readBuffer(resolve, 0, 16), record);
    await this.checkErrors('timeGpu');
    return ms;
  }

  /**
   * Runs `fn` with every dispatch in its own timestamped pass and returns its result with the
   * GPU time per kernel label, largest first (each dispatch pays a pass's fixed cost, so small
   * kernels are over-counted). Needs `timestamp-query`; not while capturing or profiling.
   * @throws InvalidStateError without timestamp-query, during a capture, or when nested.
   */
  async profileKernels<T>(fn: () => T | Promise<T>): Promise<{ result: T; kernels: KernelTime[] }> {
    this.assertUsable('profileKernels');
    if (!this.features.timestampQuery)
      throw new InvalidStateError(
        `profileKernels: this adapter (${this.adapter.description}) has no timestamp-query; profile on a GPU that has it`,
      );
    if (this.capture || this.live.profiler)
      throw new InvalidStateError(
        'profileKernels: a capture or another profile is in progress; end it first',
      );
    this.flush();
    const profiler = new KernelProfiler(this.device);
    this.live.profiler = profiler;
    let result: T;
    try {
      result = await fn();
      this.flush();
    } finally {
      this.live.profiler = undefined;
    }
    const kernels = await profiler.finish();
    await this.checkErrors('profileKernels');
    return { result, kernels };
  }

  // ----- errors --------------------------------------------------------------------------

  /**
   * Throws the first problem since the last check: a ShaderCompileError, else the first
   * uncaptured device error as GpuValidationError (or DisposedError / DeviceLostError).
   */
  async checkErrors(caller = 'checkErrors'): Promise<void> {
    this.assertUsable(caller);
    await this.health.check(caller);
  }

  /**
   * Runs `fn` inside validation + out-of-memory error scopes and throws GpuValidationError naming
   * `label` when one was raised.
   */
  async withErrorScope<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
    return this.health.withErrorScope(label, fn, () => this.flush());
  }

  // ----- lifetime ------------------------------------------------------------------------

  stats(): BufferPoolStats {
    return this.pool.stats();
  }

  /** Destroys the device and every pooled buffer. Further use throws DisposedError. */
  dispose(): void {
    if (this.destroyed) return;
    this.flush();
    this.pool.trim();
    this.readback.destroy();
    this.timer.destroy();
    this.live.destroy();
    this.destroyed = true;
    this.device.destroy();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  get isDisposed(): boolean {
    return this.destroyed;
  }
}

let shared: Promise<GpuContext> | undefined;

/** Creates a new GpuContext (its own device). */
export function createGpuContext(options?: GpuContextOptions): Promise<GpuContext> {
  return GpuContext.create(options);
}

/**
 * The process-wide shared GpuContext, created on first call (options apply then only).
 * A failed creation is not cached, so a later call can retry.
 */
export function getGpuContext(options?: GpuContextOptions): Promise<GpuContext> {
  if (!shared) {
    shared = GpuContext.create(options);
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}
