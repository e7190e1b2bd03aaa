// Typed errors of the tensor package. Every message starts with the function that threw it and
// says what was expected, what came, and where possible the fix.

/** Base class of every error thrown by mamba-webgpu's GPU packages. */
export class MambaWebGpuError extends Error {
  override name = 'MambaWebGpuError';
}

/** No WebGPU adapter could be obtained (no driver, or the requested one is absent). */
export class NoAdapterError extends MambaWebGpuError {
  override name = 'NoAdapterError';
}

/** A WebGPU validation / out-of-memory / internal error reported by the device. */
export class GpuValidationError extends MambaWebGpuError {
  override name = 'GpuValidationError';
  constructor(
    message: string,
    /** `validation`, `out-of-memory` or `internal`. */
    readonly kind: string,
  ) {
    super(message);
  }
}

/** The GPU device was lost (driver reset, destroy(), out of memory...). */
export class DeviceLostError extends MambaWebGpuError {
  override name = 'DeviceLostError';
}

/** A tensor had the wrong shape for the operation. */
export class ShapeError extends MambaWebGpuError {
  override name = 'ShapeError';
}

/** A tensor had a dtype the operation does not accept. */
export class DTypeError extends MambaWebGpuError {
  override name = 'DTypeError';
}

/** A size exceeded a device limit (binding size, buffer size, workgroup count...). */
export class LimitError extends MambaWebGpuError {
  override name = 'LimitError';
}

/** A tensor (or context) was used after `dispose()`. */
export class DisposedError extends MambaWebGpuError {
  override name = 'DisposedError';
}

/** An argument was invalid (not a shape, dtype or limit problem). */
export class InvalidArgumentError extends MambaWebGpuError {
  override name = 'InvalidArgumentError';
  constructor(
    message: string,
    readonly argument: string,
  ) {
    super(message);
  }
}

/** Formats a shape for error messages: `(2, 16, 37)`. */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** An operation was called in a state that does not allow it (e.g. a host write while capturing). */
export class InvalidStateError extends MambaWebGpuError {
  override name = 'InvalidStateError';
}

/** A strided view reached code that needs a contiguous tensor (call `contiguous()` first). */
export class LayoutError extends ShapeError {
  override name = 'LayoutError';
}

/** One message of a shader's `getCompilationInfo()`, with the source line it points at. */
export interface ShaderMessage {
  type: GPUCompilationMessageType;
  message: string;
  /** 1-based line and column (0 when the compiler gave no position). */
  line: number;
  column: number;
  /** The offending line of WGSL source ('' when unknown). */
  sourceLine: string;
}

/**
 * A compute pipeline could not be created: its WGSL failed to compile (the `messages` from
 * `getCompilationInfo()`, each with line:column and the offending source line) or the pipeline
 * itself was refused (entry point, overrides, limits: in `message`).
 */
export class ShaderCompileError extends MambaWebGpuError {
  override name = 'ShaderCompileError';
  constructor(
    message: string,
    /** The kernel's label: the pipeline cache key, e.g. `scan-kernels/v2-chunked`. */
    readonly label: string,
    /** The compiler's errors and warnings, in order. */
    readonly messages: readonly ShaderMessage[],
  ) {
    super(message);
  }
}
