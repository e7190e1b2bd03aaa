// `urlStore`'s reads through a ModelCache: a cached file is opened from the cache without a
// request; otherwise it is downloaded whole (one streaming GET, size and LFS sha256 verified)
// into the cache, then opened from there. A 404 is recorded once the folder's config.json is
// cached, so a second load asks the server nothing.

import { blobSource, type ByteSource } from './byte-source.js';
import { HubError } from './errors.js';
import { sha256FromEtag } from './hub-id.js';
import type { CacheHit, ModelCache } from './model-cache.js';

/** Download progress of one file into the cache. */
export interface DownloadProgress {
  readonly file: string;
  readonly url: string;
  readonly loadedBytes: number;
  /** Undefined when the server did not say. */
  readonly totalBytes: number | undefined;
}

/** How `urlStore` fetches for the cache. */
export interface CachedFetchOptions {
  readonly cache: ModelCache;
  readonly location: string;
  readonly fetch: typeof fetch;
  readonly headers?: Record<string, string>;
  /** Check the LFS sha256 (`X-Linked-Etag`, or an ETag of 64 hex digits) while downloading. */
  readonly verifySha256: boolean;
  readonly onDownloadProgress?: (progress: DownloadProgress) => void;
}

/** Opens `file` from the cache, downloading it first when needed; undefined when it does not exist. */
export async function openCachedFile(
  file: string,
  url: string,
  options: CachedFetchOptions,
): Promise<ByteSource | undefined> {
  const hit = await cachedOrDownload(file, url, options);
  return hit?.blob === undefined ? undefined : blobSource(hit.blob, url);
}

/** Reads a small text file through the cache; undefined when it does not exist. */
export async function readCachedText(
  file: string,
  url: string,
  options: CachedFetchOptions,
): Promise<string | undefined> {
  const hit = await cachedOrDownload(file, url, options);
  return hit?.blob === undefined ? undefined : await hit.blob.text();
}

async function cachedOrDownload(file: string, url: string, options: CachedFetchOptions) {
  const { cache, location } = options;
  const hit = await cache.lookup(location, file);
  if (hit) return hit;
  return await cache.withLock(location, file, async (): Promise<CacheHit | undefined> => {
    const again = await cache.lookup(location, file); // another tab may have finished it
    if (again) return again;
    return await download(file, url, options);
  });
}

async function download(file: string, url: string, options: CachedFetchOptions) {
  const { cache, location } = options;
  const fetchFn = options.fetch; // called unbound: a browser's fetch refuses another `this`
  let response: Response;
  try {
    response = await fetchFn(url, options.headers ? { headers: options.headers } : {});
  } catch (cause) {
    throw new HubError(`urlStore: GET ${url} failed: ${String(cause)}`, 'network', url, undefined, { cause });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    if (file !== 'config.json' && (await cache.lookup(location, 'config.json'))?.blob) {
      await cache.putMissing(location, file);
    }
    return undefined;
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new HubError(
      `urlStore: GET ${url} answered HTTP ${response.status}${response.ok ? ' without a body' : ''}`,
      response.status === 401 || response.status === 403 ? 'unauthorized' : 'http',
      url,
      response.status,
    );
  }
  const { size, sha256, etag } = describeResponse(response);
  return await cache.put(location, file, response.body, {
    url,
    ...(size === undefined ? {} : { size }),
    ...(sha256 !== undefined && options.verifySha256 ? { sha256 } : {}),
    ...(etag === undefined ? {} : { etag }),
    onProgress(loadedBytes, totalBytes) {
      options.onDownloadProgress?.({ file, url, loadedBytes, totalBytes });
    },
  });
}

/**
 * The size and LFS sha256 a response announces: `X-Linked-Size`, else Content-Length unless the
 * body is encoded (it is then the compressed length); `X-Linked-Etag`, else an ETag of 64 hex
 * digits (the hub's ETag of an LFS file is its sha256; weak ETags are not taken).
 */
export function describeResponse(response: Response): {
  size: number | undefined;
  sha256: string | undefined;
  etag: string | undefined;
} {
  const headers = response.headers;
  const encoding = headers.get('content-encoding');
  const encoded = encoding !== null && encoding.toLowerCase() !== 'identity';
  const sizeText = headers.get('x-linked-size') ?? (encoded ? null : headers.get('content-length'));
  const size = sizeText === null ? undefined : Number(sizeText);
  const etag = headers.get('etag') ?? undefined;
  const linked = headers.get('x-linked-etag') ?? undefined;
  const strongEtag = etag?.startsWith('W/') ? undefined : etag; // a weak ETag is no content hash
  return {
    size: size !== undefined && Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    sha256: sha256FromEtag(linked ?? strongEtag),
    etag,
  };
}
