// The browser's model cache on the Origin Private File System (`navigator.storage.getDirectory()`,
// folder `mamba-webgpu-v1`): writes stream through `createWritable()` (a swap file, applied only
// on close), reads are disk-backed Files sliced tensor by tensor. Plus the page-level helpers
// `openModelCache`, `listCachedModels` and `clearModelCache`.

import { ModelCacheError } from './errors.js';
import { type CacheBackend, type CachedModel, MODEL_CACHE_NAME, ModelCache } from './model-cache.js';

/** A backend over an OPFS directory (one sub-folder per model). */
export function opfsBackend(root: FileSystemDirectoryHandle, storage?: StorageManager): CacheBackend {
  const folder = async (name: string, create: boolean) => {
    try {
      return await root.getDirectoryHandle(name, { create });
    } catch (error) {
      if (!create && isNotFound(error)) return undefined;
      throw error;
    }
  };
  return {
    kind: 'OPFS',
    async listFolders() {
      const names: string[] = [];
      for await (const [name, handle] of root.entries()) if (handle.kind === 'directory') names.push(name);
      return names;
    },
    async listFiles(name) {
      const dir = await folder(name, false);
      const names: string[] = [];
      if (dir) for await (const [file, handle] of dir.entries()) if (handle.kind === 'file') names.push(file);
      return names;
    },
    async readFile(name, file) {
      const dir = await folder(name, false);
      try {
        return dir ? await (await dir.getFileHandle(file)).getFile() : undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async createWriter(name, file) {
      const dir = (await folder(name, true))!;
      const handle = await dir.getFileHandle(file, { create: true });
      const stream = await handle.createWritable({ keepExistingData: false });
      return {
        write: (chunk) => stream.write(chunk as Uint8Array<ArrayBuffer>),
        close: () => stream.close(),
        abort: () => stream.abort(),
      };
    },
    async removeFile(name, file) {
      const dir = await folder(name, false);
      try {
        await dir?.removeEntry(file);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeFolder(name) {
      try {
        await root.removeEntry(name, { recursive: true });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    ...(storage && typeof storage.estimate === 'function' ? { estimate: () => storage.estimate() } : {}),
  };
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'NotFoundError';
}

let opened: Promise<ModelCache> | undefined;

/**
 * Opens the browser's model cache (OPFS). Rejects with a `ModelCacheError` (`unavailable`) where
 * there is none: outside a secure context, without OPFS writes on the page's thread (Safari before
 * `createWritable`), in private windows that refuse storage, in Node. Callers then load uncached.
 */
export function openModelCache(): Promise<ModelCache> {
  opened ??= openOpfsCache().catch((error: unknown) => {
    opened = undefined;
    throw error;
  });
  return opened;
}

async function openOpfsCache(): Promise<ModelCache> {
  const fn = 'openModelCache';
  const scope = globalThis as { navigator?: { storage?: StorageManager }; isSecureContext?: boolean };
  const storage = scope.navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') {
    const why =
      scope.isSecureContext === false
        ? 'this page is not a secure context (use https or localhost)'
        : 'navigator.storage.getDirectory is missing';
    throw new ModelCacheError(`${fn}: the Origin Private File System is unavailable: ${why}`, 'unavailable');
  }
  const fileHandle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle;
  if (!fileHandle || !('createWritable' in fileHandle.prototype)) {
    throw new ModelCacheError(
      `${fn}: this browser cannot write OPFS files from the page (FileSystemFileHandle.createWritable is missing)`,
      'unavailable',
    );
  }
  try {
    const root = await (await storage.getDirectory()).getDirectoryHandle(MODEL_CACHE_NAME, { create: true });
    return new ModelCache(opfsBackend(root, storage));
  } catch (cause) {
    throw new ModelCacheError(
      `${fn}: the Origin Private File System refused access (${String(cause)}); private windows often do`,
      'unavailable',
      undefined,
      undefined,
      { cause },
    );
  }
}

/** The models in the browser's cache (`openModelCache()`), largest first. */
export async function listCachedModels(cache?: ModelCache): Promise<CachedModel[]> {
  return await (cache ?? (await openModelCache())).list();
}

/**
 * Removes one model (by its `urlStore` location, e.g. `https://host/models/mamba-130m-hf/`) from
 * the browser's cache, or every model; resolves to the number of models removed.
 */
export async function clearModelCache(location?: string, cache?: ModelCache): Promise<number> {
  return await (cache ?? (await openModelCache())).clear(location);
}
