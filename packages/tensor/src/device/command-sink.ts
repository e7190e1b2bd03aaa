// The command sink: where GpuContext sends dispatches, copies and host writes. Two sinks exist:
// the live one encodes into a command encoder and submits (live-sink.ts); the capture one records
// dispatches for replay and refuses host work (capture-sink.ts). GpuContext swaps one for the other.

/** One buffer binding: a whole buffer, or a range (offset must be 256-aligned). */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** A uniform range that holds one dispatch's packed parameters. */
export interface ParamsRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

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

/** A dispatch with its bind group made: what a capture stores and a replay encodes. */
export interface RecordedDispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

/** A dispatch that passed GpuContext's checks: non-empty workgroup counts within the limits. */
export interface CheckedDispatch {
  options: DispatchOptions;
  label: string;
  x: number;
  y: number;
  z: number;
}

/** Timestamp slots 0 and 1 of `querySet` bracket a pass; `resolve` receives them (16 bytes). */
export interface TimestampTarget {
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
}

/** Makes a bind group for a pipeline from storage bindings and an optional params range. */
export type BindGroupMaker = (
  pipeline: GPUComputePipeline,
  bindings: readonly Binding[],
  params: ParamsRange | undefined,
  label: string | undefined,
) => GPUBindGroup;

/**
 * Where commands go. Each method takes the public caller's name for its error messages.
 * Work that cannot be recorded (host writes, copies, timing) is refused by the capture sink.
 */
export interface CommandSink {
  /** Records one dispatch (its bind group made from `options` unless given). */
  dispatch(command: CheckedDispatch): void;
  /** Encodes dispatches recorded by a capture, in order. */
  replay(caller: string, commands: readonly RecordedDispatch[]): void;
  /** Records a buffer-to-buffer copy. */
  copyBuffer(
    caller: string,
    src: GPUBuffer,
    srcOffset: number,
    dst: GPUBuffer,
    dstOffset: number,
    size: number,
  ): void;
  /** Writes host bytes into a buffer after the work recorded so far (a multiple of 4 bytes). */
  writeBuffer(caller: string, buffer: GPUBuffer, offset: number, bytes: Uint8Array): void;
  /** Records `record` in one compute pass bracketed by GPU timestamps, resolved into `target`. */
  timestampPass(caller: string, target: TimestampTarget, record: () => void): void;
  /** Submits what was recorded (nothing to do for a capture). */
  submit(): void;
}
