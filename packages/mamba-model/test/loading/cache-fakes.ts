// Fakes for the model cache's tests: an in-memory storage backend that is worse than OPFS on
// purpose (a write is visible while in progress and an abort leaves its bytes), with a quota;
// and a fetch over files in memory that logs requests, cuts or breaks bodies, and refuses to be
// called as a method (as a browser's fetch does).

import type { CacheBackend, CacheWriter } from '../../src/loading/model-cache.js';

/** An in-memory CacheBackend; `folders` is open for tests to corrupt. */
export interface FakeBackend extends CacheBackend {
  readonly folders: Map<string, Map<string, Uint8Array>>;
  /** Total bytes stored. */
  usage(): number;
}

/** Options of `fakeBackend`. */
export interface FakeBackendOptions {
  /** Writes past this many stored bytes throw QuotaExceededError. */
  quota?: number;
  /** What `estimate()` reports (default: the real usage and `quota`); null: no estimate. */
  estimate?: { usage?: number; quota?: number } | null;
}

export function fakeBackend(options: FakeBackendOptions = {}): FakeBackend {
  const folders = new Map<string, Map<string, Uint8Array>>();
  const usage = () => {
    let total = 0;
    for (const files of folders.values()) for (const bytes of files.values()) total += bytes.byteLength;
    return total;
  };
  const backend: FakeBackend = {
    kind: 'memory',
    folders,
    usage,
    listFolders: () => Promise.resolve([...folders.keys()]),
    listFiles: (folder) => Promise.resolve([...(folders.get(folder)?.keys() ?? [])]),
    readFile(folder, name) {
      const bytes = folders.get(folder)?.get(name);
      return Promise.resolve(bytes === undefined ? undefined : new Blob([bytes.slice()]));
    },
    createWriter(folder, name): Promise<CacheWriter> {
      const target = folders.get(folder) ?? new Map<string, Uint8Array>();
      folders.set(folder, target);
      target.set(name, new Uint8Array(0)); // worse than OPFS: the empty file shows at once
      return Promise.resolve({
        write(chunk) {
          if (options.quota !== undefined && usage() + chunk.byteLength > options.quota) {
            return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
          }
          const before = target.get(name) ?? new Uint8Array(0);
          const after = new Uint8Array(before.byteLength + chunk.byteLength);
          after.set(before);
          after.set(chunk, before.byteLength);
          target.set(name, after); // ... and so does every write in progress
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
        abort: () => Promise.resolve(), // ... and an abort leaves the bytes written
      });
    },
    removeFile(folder, name) {
      folders.get(folder)?.delete(name);
      return Promise.resolve();
    },
    removeFolder(folder) {
      folders.delete(folder);
      return Promise.resolve();
    },
    estimate() {
      if (options.estimate === null) return Promise.resolve(undefined);
      return Promise.resolve(options.estimate ?? { usage: usage(), quota: options.quota });
    },
  };
  return backend;
}

/** One file the fake server holds, with what it answers. */
export interface ServedFile {
  bytes: Uint8Array;
  headers?: Record<string, string>;
  /** Send only this many bytes of the body, then end it (a short body). */
  cutAt?: number;
  /** Send this many bytes, then error the stream (a broken connection). */
  failAt?: number;
}

/** A fetch over `files` (keyed by URL); `requests` logs `METHOD url`. */
export function fakeFetch(files: Map<string, ServedFile>): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const fetchFn = function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // As a browser's fetch: called as a method of anything but the window, it throws.
    if (this !== undefined && this !== globalThis)
      throw new TypeError("Failed to execute 'fetch': Illegal invocation");
    const url = String(input);
    requests.push(`${init?.method ?? 'GET'} ${url}`);
    const served = files.get(url);
    if (!served) return Promise.resolve(new Response(null, { status: 404 }));
    const { bytes } = served;
    const end = Math.min(served.cutAt ?? bytes.byteLength, served.failAt ?? bytes.byteLength);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= end) {
          if (served.failAt !== undefined) controller.error(new TypeError('network error'));
          else controller.close();
          return;
        }
        const next = Math.min(end, offset + 1000);
        controller.enqueue(bytes.slice(offset, next));
        offset = next;
      },
    });
    const headers = { 'content-length': String(bytes.byteLength), ...served.headers };
    return Promise.resolve(new Response(body, { status: 200, headers }));
  };
  return { fetch: fetchFn as typeof fetch, requests };
}
