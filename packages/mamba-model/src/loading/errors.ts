// Typed errors of the checkpoint-loading layer. Every message starts with the function that threw
// it, says what was expected and what came, and where possible the fix.

import { MambaWebGpuError } from '@mamba-webgpu/tensor';

/**
 * Base class of every error thrown by `@mamba-webgpu/mamba-model` (itself a MambaWebGpuError, so
 * one `instanceof` covers every package's typed errors).
 */
export class MambaModelError extends MambaWebGpuError {
  override name = 'MambaModelError';
}

/** What went wrong in a `.safetensors` file, its index, or the match against the weight spec. */
export type SafetensorsErrorReason =
  | 'truncated'
  | 'header-too-large'
  | 'bad-header'
  | 'bad-entry'
  | 'unknown-dtype'
  | 'byte-length'
  | 'offset-out-of-file'
  | 'overlap'
  | 'gap'
  | 'trailing-bytes'
  | 'duplicate-key'
  | 'too-deep'
  | 'duplicate-tensor'
  | 'bad-index'
  | 'missing-file'
  | 'missing-tensor'
  | 'wrong-shape'
  | 'unsupported-dtype'
  | 'unknown-naming'
  | 'io';

/** A checkpoint weights file (or its index) is malformed or does not match the config. */
export class SafetensorsError extends MambaModelError {
  override name = 'SafetensorsError';
  constructor(
    message: string,
    /** Machine-readable kind of failure. */
    readonly reason: SafetensorsErrorReason,
    /** The file at fault (a path, URL or file name). */
    readonly file: string,
    /** The tensor at fault, when one is. */
    readonly tensor?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A `config.json` is malformed, inconsistent or describes an unsupported model. */
export class ConfigError extends MambaModelError {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** The config file at fault. */
    readonly file: string,
    /** The config key at fault (as spelled in the file), when one is. */
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What went wrong while resolving or downloading a checkpoint. */
export type HubErrorReason =
  | 'bad-id'
  | 'not-found'
  | 'unauthorized'
  | 'http'
  | 'network'
  | 'timeout'
  | 'interrupted'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'too-many-redirects'
  | 'io';

/** A checkpoint could not be resolved or downloaded (local folder or Hugging Face hub). */
export class HubError extends MambaModelError {
  override name = 'HubError';
  /** How many attempts a download made before giving up (set when it retried). */
  readonly attempts: number | undefined;
  constructor(
    message: string,
    /** Machine-readable kind of failure. */
    readonly reason: HubErrorReason,
    /** The file (URL or path) at fault. */
    readonly file: string,
    /** HTTP status, when a response came. */
    readonly status?: number,
    options?: { cause?: unknown; attempts?: number },
  ) {
    super(message, options);
    this.attempts = options?.attempts;
  }
}

/** Formats a shape as `(2, 37, 512)` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/**
 * The weights do not fit the adapter (one tensor over `maxBufferSize`) or the memory budget the
 * caller gave; `fits` lists the weight dtypes that would, smallest last.
 */
export class ModelTooLargeError extends MambaModelError {
  override name = 'ModelTooLargeError';
  constructor(
    message: string,
    /** Bytes the weights need in the requested dtype. */
    readonly neededBytes: number,
    /** The weight dtypes that would fit (may be empty). */
    readonly fits: readonly string[],
  ) {
    super(message);
  }
}

/** What went wrong with the browser's model cache. */
export type ModelCacheErrorReason = 'unavailable' | 'quota' | 'io';

/**
 * The browser's model cache is unavailable here (`unavailable`: no OPFS, not a secure context,
 * private browsing), out of storage space (`quota`: `neededBytes` and `availableBytes` say how
 * much), or failed to read or write (`io`).
 */
export class ModelCacheError extends MambaModelError {
  override name = 'ModelCacheError';
  constructor(
    message: string,
    /** Machine-readable kind of failure. */
    readonly reason: ModelCacheErrorReason,
    /** Bytes the file needs (quota errors; undefined when the size is unknown). */
    readonly neededBytes?: number,
    /** Bytes of storage the browser reports as free (quota errors, when it reports any). */
    readonly availableBytes?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
