// GpuContext: one WebGPU device with its real limits and features, a buffer pool, a pipeline
// cache, and a command recorder that puts consecutive dispatches into one compute pass (a
// dispatch costs ~4.4 µs inside a pass against ~12.7 µs as its own pass on an H200).
// Kernel parameters go into one uniform arena per submission, written just before submit.

import {
  DeviceLostError,
  DisposedError,
  GpuValidationError,
  InvalidStateError,
  LimitError,
  NoAdapterError,
} from '../errors.js';
import { BufferPool, type BufferPoolStats } from './buffer-pool.js';
import { getGpu, noAdapterRemedy } from './gpu-provider.js';

export interface GpuContextOptions {
  /** `high-performance` (default) or `low-power`. Env: `MAMBA_WEBGPU_POWER`. */
  powerPreference?: GPUPowerPreference;
  /**
   * Require an adapter whose vendor/architecture/device/description contains this text
   * (case-insensitive), e.g. `nvidia`, `llvmpipe`, `swiftshader`. Env: `MAMBA_WEBGPU_ADAPTER`.
   */
  adapter?: string;
  /** Ask for the fallback (software) adapter. Env: `MAMBA_WEBGPU_FALLBACK=1`. */
  forceFallbackAdapter?: boolean;
  /** Extra Dawn flags (Node only, first creation only). */
  dawnFlags?: string[];
  /** Optional features to skip even if present (e.g. to test the non-subgroup fallbacks). */
  disableFeatures?: GPUFeatureName[];
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU adapters (lavapipe, SwiftShader, WARP): benches size themselves down. */
  isCpu: boolean;
}

export interface GpuFeatures {
  subgroups: boolean;
  timestampQuery: boolean;
  shaderF16: boolean;
}

/** One buffer binding: a whole buffer, or a range (offset must be 256-aligned). */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

export interface DispatchOptions {
  pipeline: GPUComputePipeline;
  /** Storage bindings in binding order, starting at binding 1 when `params` is given, else 0. */
  bindings?: readonly Binding[];
  /** A ready bind group (for pre-recorded sequences); excludes `bindings`/`params`. */
  bindGroup?: GPUBindGroup;
  /** Packed uniform parameters, bound at binding 0. */
  params?: ArrayBuffer;
  workgroups: readonly [number, number?, number?];
  label?: string;
}

/** One recorded dispatch of a capture. */
interface RecordedDispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

interface CaptureState {
  label: string;
  commands: RecordedDispatch[];
  arenas: GPUBuffer[];
  arenaUsed: number;
}

const CAPTURE_ARENA_BYTES = 64 << 10;

/**
 * A captured sequence of dispatches with its bind groups, parameters and intermediate buffers,
 * replayed without re-creating any of them: the decode step of a generation session, recorded
 * once and replayed per token. Inputs and outputs must live in buffers that stay the same
 * (in-place state tensors, GPU-side counters); host writes are not part of a capture.
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

const OPTIONAL_FEATURES: GPUFeatureName[] = ['subgroups', 'timestamp-query', 'shader-f16'];
const ARENA_BYTES = 1 << 20;

function envString(name: string): string | undefined {
  return typeof process !== 'undefined' ? process.env?.[name] || undefined : undefined;
}

function summarize(info: GPUAdapterInfo): AdapterSummary {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isCpu: /llvmpipe|lavapipe|swiftshader|warp|software|cpu/.test(text),
  };
}

export class GpuContext {
  readonly pool: BufferPool;
  readonly features: GpuFeatures;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  private readonly uncaptured: GPUError[] = [];
  private lostInfo: GPUDeviceLostInfo | undefined;
  private destroyed = false;
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private arena: GPUBuffer;
  private arenaBytes: Uint8Array;
  private arenaUsed = 0;
  private readonly readStaging: GPUBuffer[] = [];
  private capture: CaptureState | undefined;
  private passTimestamps: { querySet: GPUQuerySet; begin: number; end: number } | undefined;
  /** Dispatches recorded since creation (for overhead accounting). */
  dispatchCount = 0;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    /** The adapter's limits (the device was requested with all of them). */
    readonly limits: GPUSupportedLimits,
    features: GpuFeatures,
  ) {
    this.features = features;
    this.pool = new BufferPool(device);
    this.arena = this.createArena();
    this.arenaBytes = new Uint8Array(ARENA_BYTES);
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured.push((event as GPUUncapturedErrorEvent).error);
    });
    void device.lost.then((info) => {
      this.lostInfo = info;
    });
  }

  /**
   * Requests an adapter and a device with the adapter's real limits and the optional features it
   * has (`subgroups`, `timestamp-query`, `shader-f16`).
   * @throws NoAdapterError with the remedy when no (matching) adapter exists.
   */
  static async create(options: GpuContextOptions = {}): Promise<GpuContext> {
    const gpu = await getGpu(options.dawnFlags);
    if (!gpu)
      throw new NoAdapterError(`createGpuContext: no WebGPU implementation found; ${noAdapterRemedy()}`);
    const powerPreference =
      options.powerPreference ??
      (envString('MAMBA_WEBGPU_POWER') as GPUPowerPreference | undefined) ??
      'high-performance';
    const forceFallbackAdapter = options.forceFallbackAdapter ?? envString('MAMBA_WEBGPU_FALLBACK') === '1';
    const adapter = await gpu.requestAdapter({ powerPreference, forceFallbackAdapter });
    if (!adapter)
      throw new NoAdapterError(`createGpuContext: no WebGPU adapter available; ${noAdapterRemedy()}`);
    const summary = summarize(adapter.info);
    const wanted = options.adapter ?? envString('MAMBA_WEBGPU_ADAPTER');
    if (wanted) {
      const text =
        `${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`.toLowerCase();
      if (!text.includes(wanted.toLowerCase())) {
        throw new NoAdapterError(
          `createGpuContext: adapter matching "${wanted}" requested, got "${text.trim()}"; unset MAMBA_WEBGPU_ADAPTER or pick another powerPreference`,
        );
      }
    }
    const disabled = new Set(options.disableFeatures ?? []);
    const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
    const requiredLimits: Record<string, number> = {};
    for (const key of [
      'maxStorageBufferBindingSize',
      'maxBufferSize',
      'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup',
      'maxComputeWorkgroupSizeX',
      'maxComputeWorkgroupSizeY',
      'maxComputeWorkgroupSizeZ',
      'maxComputeWorkgroupsPerDimension',
      'maxStorageBuffersPerShaderStage',
      'maxBindGroups',
    ] as const) {
      requiredLimits[key] = adapter.limits[key];
    }
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'mamba-webgpu' });
    const has = (f: GPUFeatureName) => device.features.has(f);
    return new GpuContext(device, summary, device.limits, {
      subgroups: has('subgroups'),
      timestampQuery: has('timestamp-query'),
      shaderF16: has('shader-f16'),
    });
  }

  /** A one-line description of the adapter for logs and bench headers. */
  describe(): string {
    const a = this.adapter;
    const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ');
    const feats = Object.entries(this.features)
      .filter(([, on]) => on)
      .map(([k]) => k)
      .join(', ');
    return `${name || 'unknown adapter'}${a.isCpu ? ' (CPU)' : ''}; features: ${feats || 'none'}`;
  }

  // ----- buffers -------------------------------------------------------------------------

  /** Throws when the context was disposed or its device was lost. */
  assertUsable(caller: string): void {
    if (this.destroyed) throw new DisposedError(`${caller}: the GpuContext was disposed`);
    if (this.lostInfo) {
      throw new DeviceLostError(
        `${caller}: the GPU device was lost (${this.lostInfo.reason}: ${this.lostInfo.message})`,
      );
    }
  }

  /** Throws LimitError if one binding of `bytes` exceeds maxStorageBufferBindingSize. */
  checkBindingSize(caller: string, what: string, bytes: number): void {
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new LimitError(
        `${caller}: ${what} needs a binding of ${bytes} bytes, over this adapter's maxStorageBufferBindingSize ${this.limits.maxStorageBufferBindingSize}; split it into chunks`,
      );
    }
  }

  /** Writes bytes into a buffer. Records pending work first so ordering stays program order. */
  writeBuffer(buffer: GPUBuffer, offset: number, data: ArrayBufferView | ArrayBuffer): void {
    this.assertUsable('writeBuffer');
    this.refuseWhileCapturing('writeBuffer');
    if (this.encoder) this.flush();
    const view =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (view.byteLength % 4 === 0) {
      this.device.queue.writeBuffer(buffer, offset, view);
    } else {
      const padded = new Uint8Array(Math.ceil(view.byteLength / 4) * 4);
      padded.set(view);
      this.device.queue.writeBuffer(buffer, offset, padded);
    }
  }

  /** Reads `size` bytes at `offset` of a buffer (flushes pending work). */
  async readBuffer(buffer: GPUBuffer, offset = 0, size = buffer.size - offset): Promise<ArrayBuffer> {
    this.assertUsable('readBuffer');
    this.refuseWhileCapturing('readBuffer');
    const alignedOffset = offset & ~3;
    const alignedSize = Math.ceil((size + (offset - alignedOffset)) / 4) * 4;
    const staging = this.acquireStaging(alignedSize);
    this.endPass();
    this.getEncoder().copyBufferToBuffer(buffer, alignedOffset, staging, 0, alignedSize);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, alignedSize);
    } catch (error) {
      await this.checkErrors('readBuffer');
      throw error;
    }
    const start = offset - alignedOffset;
    const copy = staging.getMappedRange(0, alignedSize).slice(start, start + size);
    staging.unmap();
    this.readStaging.push(staging);
    return copy;
  }

  private acquireStaging(bytes: number): GPUBuffer {
    const index = this.readStaging.findIndex((b) => b.size >= bytes && b.size <= bytes * 4);
    if (index >= 0) return this.readStaging.splice(index, 1)[0]!;
    return this.device.createBuffer({
      size: Math.max(bytes, 256),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: 'tensor/read-staging',
    });
  }

  // ----- pipelines ----------------------------------------------------------------------

  /**
   * A compute pipeline, compiled once per `key` + constants (`layout: 'auto'`).
   * `key` must identify the code; constants are WGSL `override` values.
   */
  pipeline(
    key: string,
    code: string | (() => string),
    constants: Record<string, number> = {},
    entryPoint = 'main',
  ): GPUComputePipeline {
    let constantsKey = '';
    for (const name in constants) constantsKey += `${name}=${constants[name]},`;
    const cacheKey = `${key}|${entryPoint}|${constantsKey}`;
    let pipeline = this.pipelines.get(cacheKey);
    if (!pipeline) {
      const module = this.device.createShaderModule({
        code: typeof code === 'string' ? code : code(),
        label: key,
      });
      pipeline = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint, constants },
        label: key,
      });
      this.pipelines.set(cacheKey, pipeline);
    }
    return pipeline;
  }

  // ----- recording ----------------------------------------------------------------------

  private getEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'mamba-webgpu/commands' });
    return this.encoder;
  }

  private getPass(): GPUComputePassEncoder {
    if (!this.pass) {
      const t = this.passTimestamps;
      this.pass = this.getEncoder().beginComputePass({
        label: 'mamba-webgpu/pass',
        ...(t
          ? {
              timestampWrites: {
                querySet: t.querySet,
                beginningOfPassWriteIndex: t.begin,
                endOfPassWriteIndex: t.end,
              },
            }
          : {}),
      });
      this.passTimestamps = undefined;
    }
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Space for packed params in this submission's uniform arena; returns the byte offset. */
  private allocParams(data: ArrayBuffer): number {
    const aligned = Math.ceil(data.byteLength / 256) * 256;
    if (aligned > ARENA_BYTES)
      throw new LimitError(`dispatch: params of ${data.byteLength} bytes exceed the arena`);
    if (this.arenaUsed + aligned > ARENA_BYTES) this.flush();
    const offset = this.arenaUsed;
    this.arenaBytes.set(new Uint8Array(data), offset);
    this.arenaUsed += aligned;
    return offset;
  }

  /** Creates a bind group for `pipeline` from params and storage bindings (group 0). */
  createBindGroup(
    pipeline: GPUComputePipeline,
    bindings: readonly Binding[],
    params?: { buffer: GPUBuffer; offset: number; size: number },
    label?: string,
  ): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    let index = 0;
    if (params) entries.push({ binding: index++, resource: params });
    for (const b of bindings) {
      const resource: GPUBufferBinding = 'buffer' in b ? b : { buffer: b };
      entries.push({ binding: index++, resource });
    }
    // getBindGroupLayout creates a new wrapper per call in Dawn's Node binding: cache it.
    let layout = this.layouts.get(pipeline);
    if (!layout) {
      layout = pipeline.getBindGroupLayout(0);
      this.layouts.set(pipeline, layout);
    }
    return this.device.createBindGroup({ layout, entries, ...(label ? { label } : {}) });
  }

  /** Records one dispatch into the current compute pass. */
  dispatch(options: DispatchOptions): void {
    this.assertUsable(options.label ?? 'dispatch');
    const [x, y = 1, z = 1] = options.workgroups;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new LimitError(
        `dispatch(${options.label ?? options.pipeline.label}): workgroups (${x}, ${y}, ${z}) exceed maxComputeWorkgroupsPerDimension ${max}`,
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    let bindGroup = options.bindGroup;
    const capture = this.capture;
    if (capture) {
      if (!bindGroup) {
        let params: { buffer: GPUBuffer; offset: number; size: number } | undefined;
        if (options.params) params = this.captureParams(capture, options.params);
        bindGroup = this.createBindGroup(options.pipeline, options.bindings ?? [], params, options.label);
      }
      capture.commands.push({
        label: options.label ?? options.pipeline.label,
        pipeline: options.pipeline,
        bindGroup,
        x,
        y,
        z,
      });
      return;
    }
    if (!bindGroup) {
      let params: { buffer: GPUBuffer; offset: number; size: number } | undefined;
      if (options.params) {
        const offset = this.allocParams(options.params);
        params = { buffer: this.arena, offset, size: options.params.byteLength };
      }
      bindGroup = this.createBindGroup(options.pipeline, options.bindings ?? [], params, options.label);
    }
    const pass = this.getPass();
    pass.setPipeline(options.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
  }

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
    this.capture = { label, commands: [], arenas: [], arenaUsed: CAPTURE_ARENA_BYTES };
    this.pool.beginHold();
  }

  /** Ends the capture started by `beginCapture` and returns the recording (the caller owns it). */
  endCapture(): Recording {
    const capture = this.capture;
    if (!capture) throw new InvalidStateError('endCapture: no capture in progress');
    this.capture = undefined;
    const buffers = this.pool.endHold();
    return new Recording(this, capture.label, capture.commands, buffers, capture.arenas);
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
    if (this.capture) throw new InvalidStateError('Recording.replay: not allowed while capturing');
    const pass = this.getPass();
    for (const c of commands) {
      pass.setPipeline(c.pipeline);
      pass.setBindGroup(0, c.bindGroup);
      pass.dispatchWorkgroups(c.x, c.y, c.z);
    }
    this.dispatchCount += commands.length;
  }

  private captureParams(
    capture: CaptureState,
    data: ArrayBuffer,
  ): { buffer: GPUBuffer; offset: number; size: number } {
    const aligned = Math.ceil(data.byteLength / 256) * 256;
    if (capture.arenaUsed + aligned > CAPTURE_ARENA_BYTES) {
      capture.arenas.push(
        this.device.createBuffer({
          size: CAPTURE_ARENA_BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          label: `capture/${capture.label}/params`,
        }),
      );
      capture.arenaUsed = 0;
    }
    const buffer = capture.arenas[capture.arenas.length - 1]!;
    const offset = capture.arenaUsed;
    this.device.queue.writeBuffer(buffer, offset, data);
    capture.arenaUsed += aligned;
    return { buffer, offset, size: data.byteLength };
  }

  private refuseWhileCapturing(caller: string): void {
    if (this.capture) {
      throw new InvalidStateError(
        `${caller}: not allowed while capturing '${this.capture.label}' (host work is not replayed)`,
      );
    }
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.assertUsable('copyBuffer');
    this.refuseWhileCapturing('copyBuffer');
    this.endPass();
    this.getEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Submits everything recorded so far. Cheap when nothing is pending. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.arenaUsed > 0) {
      this.device.queue.writeBuffer(this.arena, 0, this.arenaBytes, 0, this.arenaUsed);
      this.arenaUsed = 0;
    }
    const commands = this.encoder.finish();
    this.encoder = undefined;
    this.device.queue.submit([commands]);
  }

  /** Flushes and waits until the GPU finished everything; then reports captured errors. */
  async sync(caller = 'sync'): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors(caller);
  }

  /**
   * Runs `record` (which records dispatches) in one compute pass bracketed by GPU timestamps and
   * returns the GPU time in milliseconds, or undefined without `timestamp-query`.
   */
  async timeGpu(record: () => void): Promise<number | undefined> {
    if (!this.features.timestampQuery) {
      record();
      await this.sync('timeGpu');
      return undefined;
    }
    this.flush();
    const querySet = this.device.createQuerySet({ type: 'timestamp', count: 2, label: 'tensor/timestamps' });
    const resolve = this.device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      label: 'tensor/timestamps-resolve',
    });
    this.passTimestamps = { querySet, begin: 0, end: 1 };
    this.getPass();
    record();
    this.endPass();
    this.getEncoder().resolveQuerySet(querySet, 0, 2, resolve, 0);
    const bytes = await this.readBuffer(resolve, 0, 16);
    querySet.destroy();
    resolve.destroy();
    const [begin, end] = new BigUint64Array(bytes);
    await this.checkErrors('timeGpu');
    return Number(end! - begin!) / 1e6;
  }

  // ----- errors --------------------------------------------------------------------------

  /** Throws the first uncaptured device error since the last check (and device loss). */
  async checkErrors(caller = 'checkErrors'): Promise<void> {
    this.assertUsable(caller);
    const error = this.uncaptured.shift();
    this.uncaptured.length = 0;
    if (error) {
      const kind = error.constructor?.name?.replace(/^GPU|Error$/g, '').toLowerCase() || 'validation';
      throw new GpuValidationError(`${caller}: the GPU reported a ${kind} error: ${error.message}`, kind);
    }
  }

  /**
   * Runs `fn` inside validation + out-of-memory error scopes and throws GpuValidationError naming
   * `label` when one was raised.
   */
  async withErrorScope<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    // The scopes must be popped whatever `fn` does; a GPU error then wins over fn's own error,
    // which it usually caused. (No throw inside `finally`: it would swallow fn's error silently.)
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    try {
      this.flush();
    } catch (error) {
      if (outcome.ok) outcome = { ok: false, error };
    }
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    const gpuError = validation ?? oom;
    if (gpuError) {
      throw new GpuValidationError(
        `${label}: ${gpuError.message}`,
        validation ? 'validation' : 'out-of-memory',
      );
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
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
    for (const b of this.readStaging) b.destroy();
    this.arena.destroy();
    this.destroyed = true;
    this.device.destroy();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  get isDisposed(): boolean {
    return this.destroyed;
  }

  private createArena(): GPUBuffer {
    return this.device.createBuffer({
      size: ARENA_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'tensor/params-arena',
    });
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
