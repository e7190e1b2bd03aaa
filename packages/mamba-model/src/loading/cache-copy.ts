// Copying a download into a cache writer, counted, hashed (LFS sha256) and checked against the
// announced size; and the quota error that says how much is needed, how much is free and how to
// free space. Used by `ModelCache.put`.

import { HubError, ModelCacheError } from './errors.js';
import { formatBytes } from './format-bytes.js';
import type { CachePutOptions, CacheWriter } from './model-cache.js';
import { Sha256 } from './sha256.js';

/** Bytes gathered before each backend write (OPFS writes are IPC calls; fetch chunks are ~64 kB). */
const WRITE_CHUNK_BYTES = 4 << 20;

/** Copies the body into the writer in WRITE_CHUNK_BYTES pieces; resolves to the bytes copied. */
export async function copyBody(
  body: ReadableStream<Uint8Array>,
  writer: CacheWriter,
  file: string,
  url: string,
  options: CachePutOptions,
): Promise<number> {
  const reader = body.getReader();
  const hash = options.sha256 ? new Sha256() : undefined;
  let loaded = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await writer.write(chunk);
  };
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (cause) {
        throw new HubError(
          `ModelCache.put: the download of ${url} broke off after ${formatBytes(loaded)}: ${String(cause)}`,
          'interrupted',
          url,
          undefined,
          { cause },
        );
      }
      if (next.done) break;
      const chunk = next.value;
      loaded += chunk.byteLength;
      if (options.size !== undefined && loaded > options.size) break;
      hash?.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
      options.onProgress?.(loaded, options.size);
    }
    await flush();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (options.size !== undefined && loaded !== options.size) {
    throw new HubError(
      `ModelCache.put: ${url} must have ${options.size} bytes, got ${loaded > options.size ? 'more' : loaded}; nothing was cached`,
      'size-mismatch',
      url,
    );
  }
  const actual = hash?.hex();
  if (actual !== undefined && actual !== options.sha256) {
    throw new HubError(
      `ModelCache.put: ${file} from ${url} must have sha256 ${options.sha256}, got ${actual}; nothing was cached`,
      'checksum-mismatch',
      url,
    );
  }
  return loaded;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A `ModelCacheError` (`quota`) for caching `file`: needed bytes, free bytes when known, the fix. */
export function quotaError(
  location: string,
  file: string,
  needed: number,
  available: { free: number; usage: number; quota: number } | undefined,
  cause?: unknown,
): ModelCacheError {
  const room =
    available === undefined
      ? 'the browser refused the write for lack of storage space'
      : `${formatBytes(available.free)} of browser storage is free (${formatBytes(available.usage)} used of a ${formatBytes(available.quota)} quota)`;
  return new ModelCacheError(
    `ModelCache.put: caching ${file} of ${location} needs ${formatBytes(needed)}; ${room}. ` +
      `Free space with clearModelCache() (the playground's Cache panel), or load without the cache.`,
    'quota',
    needed,
    available?.free,
    cause === undefined ? undefined : { cause },
  );
}
