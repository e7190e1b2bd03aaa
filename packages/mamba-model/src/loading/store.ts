// Where a checkpoint's files come from: a CheckpointStore opens `config.json`,
// `model.safetensors`, shards and `tokenizer.json` by name. Browser-safe implementations here
// (in-memory / Blob files, a URL base, optionally through the browser's model cache); the Node
// folder store is in `node-folder-store.ts`.

import { blobSource, bytesSource, type ByteSource, openHttpSource } from './byte-source.js';
import { SafetensorsError } from './errors.js';
import { describeJson } from './json.js';
import type { ModelCache } from './model-cache.js';
import {
  type CachedFetchOptions,
  type DownloadProgress,
  openCachedFile,
  readCachedText,
} from './url-cache.js';

/** A folder-like set of checkpoint files. */
export interface CheckpointStore {
  /** The folder, URL base or label, for messages. */
  readonly location: string;
  /** Opens a file for random access; resolves to undefined when it does not exist. */
  open(file: string): Promise<ByteSource | undefined>;
  /** Reads a small text file (config, index, tokenizer); resolves to undefined when it does not exist. */
  readText(file: string): Promise<string | undefined>;
}

/** Joins a store location and a file name for messages and URLs. */
export function joinLocation(location: string, file: string): string {
  return location.endsWith('/') ? location + file : `${location}/${file}`;
}

/**
 * A store over files already in memory or picked in a browser (`File` objects are Blobs and are
 * read slice by slice, never whole).
 */
export function memoryStore(
  files: ReadonlyMap<string, Uint8Array | Blob> | Readonly<Record<string, Uint8Array | Blob>>,
  location = 'memory',
): CheckpointStore {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return {
    location,
    open(file) {
      const content = map.get(file);
      const name = joinLocation(location, file);
      if (content === undefined) return Promise.resolve(undefined);
      return Promise.resolve(
        content instanceof Uint8Array ? bytesSource(content, name) : blobSource(content, name),
      );
    },
    async readText(file) {
      const content = map.get(file);
      if (content === undefined) return undefined;
      return content instanceof Uint8Array ? new TextDecoder().decode(content) : await content.text();
    },
  };
}

/** Options of `urlStore`. */
export interface UrlStoreOptions {
  /** Extra request headers, e.g. `{ authorization: 'Bearer hf_...' }`. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /**
   * Told when a file is taken as missing because the server answered an HTML page for it (a
   * static server's fallback for unknown paths); default `console.warn`.
   */
  onWarning?: (message: string) => void;
  /**
   * Keep the files in this cache (`await openModelCache()` for the browser's): each is downloaded
   * whole once, verified, and later loads read it from the cache without a request.
   */
  cache?: ModelCache;
  /** With `cache`: check the LFS sha256 the server reports while downloading; default true. */
  verifySha256?: boolean;
  /** With `cache`: called as a file downloads into the cache (before its tensors upload). */
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

/**
 * An HTML page where a file was asked for: `content-type: text/html`, or a body that starts with
 * `<` (a JSON file starts with `{`; a safetensors file with its header length).
 */
function isHtmlAnswer(contentType: string | null, start = ''): boolean {
  return /^\s*text\/html/i.test(contentType ?? '') || /^\uFEFF?\s*</.test(start);
}

/**
 * A store over a URL base (`https://huggingface.co/owner/name/resolve/main/`, or any static
 * server with Range support): weights are read with Range requests, tensor by tensor; with
 * `options.cache`, from the cache after one whole download per file. A 404, or an HTML page in
 * place of a file (a single-page-app server's fallback), is a missing file; a text file that is
 * not JSON is a typed error naming it.
 */
export function urlStore(baseUrl: string, options: UrlStoreOptions = {}): CheckpointStore {
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (options.cache) return cachedUrlStore(baseUrl, options.cache, fetchFn, options);
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  return {
    location: baseUrl,
    async open(file) {
      try {
        return await openHttpSource(joinLocation(baseUrl, file), options);
      } catch (error) {
        if (error instanceof SafetensorsError && error.reason === 'missing-file') return undefined;
        throw error;
      }
    },
    async readText(file) {
      const url = joinLocation(baseUrl, file);
      let response: Response;
      try {
        response = await fetchFn(url, { headers: options.headers });
      } catch (cause) {
        throw new SafetensorsError(
          `urlStore.readText: GET ${url} failed: ${String(cause)}`,
          'io',
          url,
          undefined,
          { cause },
        );
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new SafetensorsError(
          `urlStore.readText: GET ${url} answered HTTP ${response.status}`,
          'io',
          url,
        );
      }
      const text = await response.text();
      const contentType = response.headers.get('content-type');
      if (isHtmlAnswer(contentType, text.slice(0, 256))) {
        warn(
          `urlStore: GET ${url} answered an HTML page (content-type ${contentType ?? 'none'}), not ${file}: ` +
            'taken as missing (a static server answers unknown paths with its index page)',
        );
        return undefined;
      }
      if (!/^\uFEFF?\s*[{[]/.test(text.slice(0, 256))) {
        throw new SafetensorsError(
          `urlStore.readText: GET ${url} answered ${describeJson(text.slice(0, 24))}..., which is not the JSON file ${file} (content-type ${contentType ?? 'none'})`,
          'io',
          url,
        );
      }
      return text;
    },
  };
}

function cachedUrlStore(
  baseUrl: string,
  cache: ModelCache,
  fetchFn: typeof fetch,
  options: UrlStoreOptions,
): CheckpointStore {
  const fetchOptions: CachedFetchOptions = {
    cache,
    location: baseUrl,
    fetch: fetchFn,
    verifySha256: options.verifySha256 ?? true,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.onDownloadProgress ? { onDownloadProgress: options.onDownloadProgress } : {}),
  };
  return {
    location: baseUrl,
    open: (file) => openCachedFile(file, joinLocation(baseUrl, file), fetchOptions),
    readText: (file) => readCachedText(file, joinLocation(baseUrl, file), fetchOptions),
  };
}
