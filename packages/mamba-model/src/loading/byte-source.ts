// Random-access byte sources that the safetensors reader pulls from, tensor by tensor, so a
// multi-GB checkpoint never sits in memory twice. Browser-safe: in-memory bytes, Blob/File, HTTP
// Range. The Node file implementation lives in `node-file-source.ts`.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { SafetensorsError } from './errors.js';

/** A random-access, read-only sequence of bytes (a file on disk, a Blob, a URL, a buffer). */
export interface ByteSource {
  /** A name for messages: a path, URL or file name. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset`. Resolves to exactly `length` bytes, or rejects with a
   * `SafetensorsError` (`truncated` when the source ends early, `io` for other failures).
   * The caller owns the result; it may be a view on memory the source keeps (in-memory sources).
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file handle or connection, if any. Idempotent. */
  close?(): Promise<void>;
}

/**
 * Checks a read request against a source's size; shared by every implementation. A bad offset or
 * length is an `InvalidArgumentError` (a caller's bug); a read past the end a `truncated` error.
 */
export function checkReadRange(fn: string, source: ByteSource, offset: number, length: number): void {
  for (const [argument, value] of [
    ['offset', offset],
    ['length', length],
  ] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(
        `${fn}: ${argument} must be a non-negative integer (bytes), got ${typeof value === 'number' ? value : `${typeof value} ${String(value).slice(0, 20)}`}`,
        argument,
      );
    }
  }
  if (offset + length > source.size) {
    throw new SafetensorsError(
      `${fn}: read of ${length} bytes at offset ${offset} runs past the end of ${source.name} ` +
        `(${source.size} bytes). The file is truncated: download it again.`,
      'truncated',
      source.name,
    );
  }
}

/** A source over bytes already in memory (a test fixture, a fetched file). Reads are zero-copy views. */
export function bytesSource(bytes: Uint8Array, name = 'memory'): ByteSource {
  const source: ByteSource = {
    name,
    size: bytes.byteLength,
    read(offset, length) {
      try {
        checkReadRange('bytesSource.read', source, offset, length);
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
  return source;
}

/** A source over a Blob or File (a browser file picker); reads slice the Blob, never the whole file. */
export function blobSource(blob: Blob, name = (blob as { name?: string }).name ?? 'blob'): ByteSource {
  const source: ByteSource = {
    name,
    size: blob.size,
    async read(offset, length) {
      checkReadRange('blobSource.read', source, offset, length);
      let buffer: ArrayBuffer;
      try {
        buffer = await blob.slice(offset, offset + length).arrayBuffer();
      } catch (cause) {
        throw new SafetensorsError(
          `blobSource.read: reading ${name} failed: ${String(cause)}`,
          'io',
          name,
          undefined,
          {
            cause,
          },
        );
      }
      if (buffer.byteLength !== length) {
        throw new SafetensorsError(
          `blobSource.read: expected ${length} bytes at offset ${offset} of ${name}, got ${buffer.byteLength}`,
          'truncated',
          name,
        );
      }
      return new Uint8Array(buffer);
    },
  };
  return source;
}

/** Options of `openHttpSource`. */
export interface HttpSourceOptions {
  /** Extra request headers (e.g. `Authorization: Bearer ...`). */
  headers?: Record<string, string>;
  /** The fetch implementation; defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** The size in bytes when already known (skips the HEAD request). */
  size?: number;
}

/**
 * Opens a URL as a byte source read with HTTP Range requests (the server must answer 206).
 * The size comes from `options.size` or a HEAD request's Content-Length.
 */
export async function openHttpSource(url: string, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof url !== 'string' || url === '') {
    throw new InvalidArgumentError(
      `openHttpSource: url must be a non-empty string, got ${String(url)}`,
      'url',
    );
  }
  if (typeof fetchFn !== 'function') {
    throw new InvalidArgumentError(
      'openHttpSource: options.fetch must be a fetch function (none is global here)',
      'fetch',
    );
  }
  if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) {
    throw new InvalidArgumentError(
      `openHttpSource: options.size must be a non-negative integer (bytes), got ${String(options.size)}`,
      'size',
    );
  }
  const headers = { 'accept-encoding': 'identity', ...options.headers };
  let size = options.size;
  if (size === undefined) {
    let response: Response;
    try {
      response = await fetchFn(url, { method: 'HEAD', headers });
    } catch (cause) {
      throw new SafetensorsError(
        `openHttpSource: HEAD ${url} failed: ${String(cause)}`,
        'io',
        url,
        undefined,
        {
          cause,
        },
      );
    }
    if (response.status === 404) {
      throw new SafetensorsError(`openHttpSource: ${url} does not exist (HTTP 404)`, 'missing-file', url);
    }
    if (!response.ok) {
      throw new SafetensorsError(`openHttpSource: HEAD ${url} answered HTTP ${response.status}`, 'io', url);
    }
    const contentType = response.headers.get('content-type');
    if (/^\s*text\/html/i.test(contentType ?? '')) {
      // A static server's fallback page for an unknown path: the file is not there.
      throw new SafetensorsError(
        `openHttpSource: HEAD ${url} answered an HTML page (content-type ${contentType}), not the file; it is missing there`,
        'missing-file',
        url,
      );
    }
    const linked = response.headers.get('x-linked-size');
    const length = Number(linked ?? response.headers.get('content-length') ?? Number.NaN);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new SafetensorsError(
        `openHttpSource: HEAD ${url} must report a Content-Length, got ${String(linked ?? response.headers.get('content-length'))}`,
        'io',
        url,
      );
    }
    size = length;
  }
  const source: ByteSource = {
    name: url,
    size,
    async read(offset, length) {
      checkReadRange('openHttpSource.read', source, offset, length);
      if (length === 0) return new Uint8Array(0);
      let bytes: Uint8Array;
      try {
        const response = await fetchFn(url, {
          headers: { ...headers, range: `bytes=${offset}-${offset + length - 1}` },
        });
        if (response.status !== 206 && !(response.status === 200 && offset === 0 && length === source.size)) {
          await response.body?.cancel();
          throw new SafetensorsError(
            `openHttpSource.read: expected HTTP 206 for a Range request on ${url}, got ${response.status}. ` +
              'The server must support Range requests.',
            'io',
            url,
          );
        }
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch (cause) {
        if (cause instanceof SafetensorsError) throw cause;
        throw new SafetensorsError(
          `openHttpSource.read: GET ${url} failed: ${String(cause)}`,
          'io',
          url,
          undefined,
          {
            cause,
          },
        );
      }
      if (bytes.byteLength !== length) {
        throw new SafetensorsError(
          `openHttpSource.read: expected ${length} bytes at offset ${offset} of ${url}, got ${bytes.byteLength}`,
          'truncated',
          url,
        );
      }
      return bytes;
    },
  };
  return source;
}
