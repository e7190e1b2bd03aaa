// The model cache: downloaded checkpoint files kept in a storage backend (the browser's Origin
// Private File System, `opfs-cache.ts`; an in-memory fake in the tests), one folder per model
// location. A file counts as cached only once its record (size, sha256, ETag) is written after
// the data is complete, and only while the data's size matches the record.

import { copyBody, quotaError } from './cache-copy.js';
import { ModelCacheError } from './errors.js';
import { sha256Hex } from './sha256.js';

/** The name of the cache (the OPFS folder); the suffix changes when the layout does. */
export const MODEL_CACHE_NAME = 'mamba-webgpu-v1';

/** A write in progress; nothing of it may count as a complete file before `close()` resolves. */
export interface CacheWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Discards what was written. */
  abort(): Promise<void>;
}

/** Where the cache keeps its files: folders of flat files. OPFS in browsers; fakes in tests. */
export interface CacheBackend {
  /** `opfs`, `memory`: for messages. */
  readonly kind: string;
  listFolders(): Promise<string[]>;
  /** The file names in a folder; empty when the folder does not exist. */
  listFiles(folder: string): Promise<string[]>;
  /** A file's content for slice-by-slice reads (OPFS: a disk-backed File); undefined when absent. */
  readFile(folder: string, name: string): Promise<Blob | undefined>;
  /** Starts writing a file (creating its folder); the file is replaced only on `close()`. */
  createWriter(folder: string, name: string): Promise<CacheWriter>;
  /** Removes a file; no error when it is absent. */
  removeFile(folder: string, name: string): Promise<void>;
  /** Removes a folder and everything in it; no error when it is absent. */
  removeFolder(folder: string): Promise<void>;
  /** Bytes used and allowed (`navigator.storage.estimate()`), when the backend can tell. */
  estimate?(): Promise<{ usage?: number; quota?: number } | undefined>;
}

/** What the cache knows of one file of a model. */
export interface CachedFileRecord {
  /** The model's location (a `urlStore` base URL). */
  readonly location: string;
  /** The file name within the location (`model.safetensors`). */
  readonly file: string;
  /** Bytes (0 for a recorded absence). */
  readonly size: number;
  /** The file does not exist at the location (a 404, e.g. an optional `tokenizer.json`). */
  readonly missing?: boolean;
  /** The hub's LFS sha256, verified while downloading, when the server gave one. */
  readonly sha256?: string;
  /** The server's ETag, when it gave one. */
  readonly etag?: string;
  /** When it was cached (ISO 8601). */
  readonly cachedAt: string;
}

/** One cached model: its location, its complete files and the bytes of unfinished downloads. */
export interface CachedModel {
  readonly location: string;
  /** The complete files (recorded absences left out). */
  readonly files: readonly CachedFileRecord[];
  /** Bytes of the complete files. */
  readonly totalBytes: number;
  /** Bytes of downloads that never completed (a closed tab); `clear` removes them. */
  readonly partialBytes: number;
}

/** A cached file: its record and, unless it is a recorded absence, its content. */
export interface CacheHit {
  readonly record: CachedFileRecord;
  readonly blob: Blob | undefined;
}

/** What the server said about a file that is being stored. */
export interface CachePutOptions {
  /** The expected size; a body of another length is refused (`HubError` `size-mismatch`). */
  size?: number;
  /** The LFS sha256; a body that hashes otherwise is refused (`checksum-mismatch`). */
  sha256?: string;
  etag?: string;
  /** The URL, for messages. */
  url?: string;
  /** Called as bytes arrive. */
  onProgress?: (loadedBytes: number, totalBytes: number | undefined) => void;
}

/** Runs `fn` holding the named lock (the Web Locks API across tabs when there is one). */
export type CacheLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** Options of `ModelCache`. */
export interface ModelCacheOptions {
  /** Default: `navigator.locks` when present, else a lock within this page or process. */
  lock?: CacheLock;
}

const LOCATION_FILE = 'location.json';
const dataName = (file: string) => `d-${encodeURIComponent(file)}`;
const recordName = (file: string) => `r-${encodeURIComponent(file)}.json`;

/** The folder of a location: a hash, as URLs hold characters and lengths file names may not. */
export function cacheFolderName(location: string): string {
  return `m-${sha256Hex(new TextEncoder().encode(location)).slice(0, 32)}`;
}

/**
 * The model cache over a storage backend. `urlStore(url, { cache })` reads through it; `list` and
 * `clear` manage it (`listCachedModels`, `clearModelCache` for the browser's default cache).
 */
export class ModelCache {
  private readonly lock: CacheLock;

  constructor(
    readonly backend: CacheBackend,
    options: ModelCacheOptions = {},
  ) {
    this.lock = options.lock ?? defaultLock();
  }

  /** The cached file, or undefined; a record whose data is missing or of another size is discarded. */
  async lookup(location: string, file: string): Promise<CacheHit | undefined> {
    const folder = cacheFolderName(location);
    const record = await this.readRecord(folder, recordName(file));
    if (record === undefined || record.location !== location || record.file !== file) return undefined;
    if (record.missing) return { record, blob: undefined };
    const blob = await this.io('read', file, () => this.backend.readFile(folder, dataName(file)));
    if (blob?.size === record.size) return { record, blob };
    await this.discard(location, file);
    return undefined;
  }

  /**
   * Streams `body` into the cache as `file` of `location`, then writes its record (the commit).
   * Checks the free space first when the size is known; refuses a body of the wrong size or sha256.
   */
  async put(location: string, file: string, body: ReadableStream<Uint8Array>, options: CachePutOptions = {}) {
    const folder = cacheFolderName(location);
    const url = options.url ?? `${location} ${file}`;
    await this.discard(location, file); // the record goes first: old record + new data never meet
    await this.writeLocation(folder, location);
    await this.checkQuota(location, file, options.size);
    const writer = await this.io('write', file, () => this.backend.createWriter(folder, dataName(file)));
    let loaded = 0;
    try {
      loaded = await copyBody(body, writer, file, url, options);
      await writer.close();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      await this.backend.removeFile(folder, dataName(file)).catch(() => undefined);
      throw await this.mapWriteError(error, location, file, options.size ?? loaded);
    }
    const record: CachedFileRecord = {
      location,
      file,
      size: loaded,
      ...(options.sha256 ? { sha256: options.sha256 } : {}),
      ...(options.etag ? { etag: options.etag } : {}),
      cachedAt: new Date().toISOString(),
    };
    await this.writeRecord(folder, record);
    const hit = await this.lookup(location, file);
    if (!hit?.blob) {
      throw new ModelCacheError(`ModelCache.put: ${file} of ${location} vanished right after caching`, 'io');
    }
    return hit;
  }

  /** Records that `file` does not exist at `location`, so a later load need not ask again. */
  async putMissing(location: string, file: string): Promise<void> {
    const folder = cacheFolderName(location);
    await this.writeLocation(folder, location);
    await this.writeRecord(folder, {
      location,
      file,
      size: 0,
      missing: true,
      cachedAt: new Date().toISOString(),
    });
  }

  /** Removes one file's record and data. */
  async discard(location: string, file: string): Promise<void> {
    const folder = cacheFolderName(location);
    await this.io('remove', file, async () => {
      await this.backend.removeFile(folder, recordName(file));
      await this.backend.removeFile(folder, dataName(file));
    });
  }

  /** The cached models, largest first. */
  async list(): Promise<CachedModel[]> {
    const models: CachedModel[] = [];
    for (const folder of await this.io('list', 'the cache', () => this.backend.listFolders())) {
      if (!folder.startsWith('m-')) continue;
      const model = await this.listFolder(folder);
      if (model) models.push(model);
    }
    return models.sort((a, b) => b.totalBytes + b.partialBytes - (a.totalBytes + a.partialBytes));
  }

  /** Removes one model's files (by location), or every model; resolves to the number removed. */
  async clear(location?: string): Promise<number> {
    const folders =
      location === undefined
        ? (await this.io('list', 'the cache', () => this.backend.listFolders())).filter((f) =>
            f.startsWith('m-'),
          )
        : [cacheFolderName(location)];
    let removed = 0;
    for (const folder of folders) {
      const known = location === undefined || (await this.backend.listFiles(folder)).length > 0;
      await this.io('remove', folder, () => this.backend.removeFolder(folder));
      if (known) removed++;
    }
    return removed;
  }

  /** Runs `fn` holding the lock of one file, so two tabs never download it at once. */
  withLock<T>(location: string, file: string, fn: () => Promise<T>): Promise<T> {
    return this.lock(`${MODEL_CACHE_NAME}:${cacheFolderName(location)}:${file}`, fn);
  }

  private async listFolder(folder: string): Promise<CachedModel | undefined> {
    const names = await this.backend.listFiles(folder);
    const location = await this.readLocation(folder);
    if (location === undefined) return undefined;
    const files: CachedFileRecord[] = [];
    let partialBytes = 0;
    for (const name of names.filter((n) => n.startsWith('d-'))) {
      const file = decodeURIComponent(name.slice(2));
      const hit = await this.lookup(location, file);
      if (hit?.blob) files.push(hit.record);
      else partialBytes += (await this.backend.readFile(folder, name))?.size ?? 0;
    }
    if (files.length === 0 && partialBytes === 0) return undefined;
    files.sort((a, b) => a.file.localeCompare(b.file));
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    return { location, files, totalBytes, partialBytes };
  }

  private async checkQuota(location: string, file: string, size: number | undefined): Promise<void> {
    if (size === undefined) return;
    const available = await this.available();
    if (available !== undefined && size > available.free) {
      throw quotaError(location, file, size, available);
    }
  }

  private async available(): Promise<{ free: number; usage: number; quota: number } | undefined> {
    const estimate = await this.backend.estimate?.().catch(() => undefined);
    if (estimate?.quota === undefined) return undefined;
    const usage = estimate.usage ?? 0;
    return { free: Math.max(0, estimate.quota - usage), usage, quota: estimate.quota };
  }

  private async mapWriteError(error: unknown, location: string, file: string, needed: number) {
    if ((error as { name?: unknown } | undefined)?.name !== 'QuotaExceededError') return error;
    return quotaError(location, file, needed, await this.available(), error);
  }

  private async readRecord(folder: string, name: string): Promise<CachedFileRecord | undefined> {
    const blob = await this.io('read', name, () => this.backend.readFile(folder, name));
    if (blob === undefined) return undefined;
    try {
      const record = JSON.parse(await blob.text()) as CachedFileRecord;
      if (typeof record.location === 'string' && typeof record.file === 'string') {
        if (Number.isSafeInteger(record.size) && record.size >= 0) return record;
      }
    } catch {
      // An unreadable record is no commit: fall through and drop it.
    }
    await this.backend.removeFile(folder, name);
    return undefined;
  }

  private async writeRecord(folder: string, record: CachedFileRecord): Promise<void> {
    await this.writeSmall(
      folder,
      recordName(record.file),
      JSON.stringify(record),
      record.location,
      record.file,
    );
  }

  private async readLocation(folder: string): Promise<string | undefined> {
    const blob = await this.backend.readFile(folder, LOCATION_FILE);
    if (blob === undefined) return undefined;
    try {
      const parsed = JSON.parse(await blob.text()) as { location?: unknown };
      return typeof parsed.location === 'string' ? parsed.location : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeLocation(folder: string, location: string): Promise<void> {
    if ((await this.readLocation(folder)) === location) return;
    await this.writeSmall(folder, LOCATION_FILE, JSON.stringify({ location }), location, LOCATION_FILE);
  }

  private async writeSmall(folder: string, name: string, text: string, location: string, file: string) {
    const writer = await this.io('write', name, () => this.backend.createWriter(folder, name));
    try {
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw await this.mapWriteError(error, location, file, text.length);
    }
  }

  /** Runs a backend call, turning an untyped failure into a `ModelCacheError` (`io`). */
  private async io<T>(action: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof ModelCacheError) throw cause;
      throw new ModelCacheError(
        `ModelCache: could not ${action} ${what} in the ${this.backend.kind} cache: ${String(cause)}`,
        'io',
        undefined,
        undefined,
        { cause },
      );
    }
  }
}

/** navigator.locks when present (shared by the tabs of an origin), else an in-process queue. */
function defaultLock(): CacheLock {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (locks && typeof locks.request === 'function') {
    return (name, fn) => locks.request(name, fn) as ReturnType<typeof fn>;
  }
  const tails = new Map<string, Promise<unknown>>();
  return async (name, fn) => {
    const previous = tails.get(name) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(name, tail);
    try {
      return await run;
    } finally {
      if (tails.get(name) === tail) tails.delete(name);
    }
  };
}
