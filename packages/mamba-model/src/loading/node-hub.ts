// Node-only: resolves `pathOrHubId` to a local checkpoint folder. A local folder is used as is; a
// Hugging Face hub id (`owner/name[@revision]`) is downloaded over HTTPS into a cache, one file at a
// time (node-hub-download.ts: per-file lock, `.part` + Range, timeouts and retries, size and sha256
// verified, atomic rename). Here: the options, the cache layout and which files a checkpoint needs.

import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import {
  CONFIG_FILE,
  parseSafetensorsIndex,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
} from './checkpoint.js';
import { HubError } from './errors.js';
import { DEFAULT_HUB_ENDPOINT, type HubId, hubFileUrl, isHubId, parseHubId } from './hub-id.js';
import { type DownloadContext, downloadFile } from './node-hub-download.js';
import { statusError } from './node-hub-http.js';
import { withIo } from './node-hub-lock.js';
import type { ProgressStream } from './progress.js';
import { describeJson } from './json.js';

/** Options of `resolveCheckpoint`. */
export interface ResolveCheckpointOptions {
  /** Hub endpoint; default env `HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string;
  /** Access token (gated/private repos); default env `HF_TOKEN`. */
  token?: string;
  /** Cache root; default env `MAMBA_WEBGPU_CACHE`, else `~/.cache/mamba-webgpu`. Files go to `<root>/hub/<owner>--<name>/<revision>/`. */
  cacheDir?: string;
  /** Revision when the id has no `@revision`; default `main`. */
  revision?: string;
  /** Download again even when the cache holds the files (a download another process finishes meanwhile is reused). */
  force?: boolean;
  /** Ms a request may wait for its response headers (connect included); default 10 000, as huggingface_hub. */
  timeoutMs?: number;
  /** Ms a download body may go without a byte before the attempt is abandoned; default 10 000. */
  readTimeoutMs?: number;
  /** Attempts per file (a retry resumes from the `.part` file); default 5. */
  maxAttempts?: number;
  /** Ms before the second attempt, doubled before each further one; default 1000. */
  retryDelayMs?: number;
  /** A per-file `.lock` its owner has not refreshed for this many ms is taken over; default 30 000. */
  lockStaleMs?: number;
  /** Verify the sha256 the hub reports for LFS files (re-reads each file once); default true. */
  verifyChecksum?: boolean;
  /** Progress bars on stderr (true, default), on a given stream, or none (false). */
  progress?: boolean | ProgressStream;
  /** Environment to read `HF_ENDPOINT`, `HF_TOKEN`, `MAMBA_WEBGPU_CACHE` from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** HTTP client; default the global `fetch` (it must honour `signal`). */
  fetch?: typeof fetch;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  readTimeoutMs: 10_000,
  maxAttempts: 5,
  retryDelayMs: 1000,
  lockStaleMs: 30_000,
};

/** The cache root: option, env `MAMBA_WEBGPU_CACHE`, or `~/.cache/mamba-webgpu`. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.MAMBA_WEBGPU_CACHE || join(homedir(), '.cache', 'mamba-webgpu');
}

/** The folder a hub checkpoint is cached in: `<root>/hub/<owner>--<name>/<revision>/`. */
export function hubCacheFolder(id: HubId, cacheDir: string): string {
  return join(cacheDir, 'hub', `${id.owner}--${id.name}`, id.revision.replaceAll('/', '--'));
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** What each bound must be: attempts an integer >= 1, the back-off >= 0 ms, the rest > 0 ms. */
const BOUND_RULES: Record<keyof typeof DEFAULTS, [(value: number) => boolean, string]> = {
  timeoutMs: [(v) => Number.isFinite(v) && v > 0, 'a finite number of ms > 0'],
  readTimeoutMs: [(v) => Number.isFinite(v) && v > 0, 'a finite number of ms > 0'],
  maxAttempts: [(v) => Number.isSafeInteger(v) && v >= 1, 'an integer >= 1'],
  retryDelayMs: [(v) => Number.isFinite(v) && v >= 0, 'a finite number of ms >= 0'],
  lockStaleMs: [(v) => Number.isFinite(v) && v > 0, 'a finite number of ms > 0'],
};

/** The timeouts, attempts and lock bound of `options`, checked, with the defaults filled in. */
function downloadBounds(options: ResolveCheckpointOptions): typeof DEFAULTS {
  const bounds = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const [ok, expected] = BOUND_RULES[key];
    if (typeof value !== 'number' || !ok(value)) {
      throw new InvalidArgumentError(
        `resolveCheckpoint: options.${key} must be ${expected}, got ${String(value)}`,
        key,
      );
    }
    bounds[key] = value;
  }
  return bounds;
}

/**
 * Resolves a checkpoint to a local folder holding config.json, model.safetensors (or the index and
 * its shards) and tokenizer.json when the repo has one. A path to a folder (or to a file in it)
 * is returned as is; a hub id `owner/name[@revision]` is downloaded into the cache (see
 * `ResolveCheckpointOptions`) unless already there.
 */
export async function resolveCheckpoint(
  pathOrHubId: string,
  options: ResolveCheckpointOptions = {},
): Promise<string> {
  const local = await stat(pathOrHubId).catch(() => undefined);
  if (local !== undefined) return resolve(local.isDirectory() ? pathOrHubId : dirname(pathOrHubId));
  const looksLikePath = /^(\.|\/|~|[A-Za-z]:\\)/.test(pathOrHubId) || pathOrHubId.includes('\\');
  if (
    looksLikePath ||
    !isHubId(
      options.revision && !pathOrHubId.includes('@') ? `${pathOrHubId}@${options.revision}` : pathOrHubId,
    )
  ) {
    throw new HubError(
      `resolveCheckpoint: expected an existing folder or a hub id like "state-spaces/mamba-130m-hf[@revision]", got ${describeJson(pathOrHubId)}, which is neither`,
      looksLikePath ? 'not-found' : 'bad-id',
      pathOrHubId,
    );
  }
  const id = parseHubId(
    options.revision && !pathOrHubId.includes('@') ? `${pathOrHubId}@${options.revision}` : pathOrHubId,
  );
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT);
  let endpointOrigin: string;
  try {
    endpointOrigin = new URL(endpoint).origin;
  } catch (cause) {
    throw new HubError(
      `resolveCheckpoint: the endpoint must be a URL, got ${describeJson(endpoint)}`,
      'bad-id',
      endpoint,
      undefined,
      { cause },
    );
  }
  const progress =
    options.progress === false
      ? undefined
      : options.progress === true || options.progress === undefined
        ? process.stderr
        : options.progress;
  const ctx: DownloadContext = {
    fetch: options.fetch ?? globalThis.fetch,
    token: options.token ?? (env.HF_TOKEN || undefined),
    endpointOrigin,
    progress,
    verifyChecksum: options.verifyChecksum ?? true,
    ...downloadBounds(options),
  };
  const folder = hubCacheFolder(id, options.cacheDir ?? defaultCacheDir(env));
  const force = options.force ?? false;
  const get = (file: string) =>
    downloadFile(ctx, hubFileUrl(id, file, endpoint), join(folder, file), file, force);
  const need = async (file: string) => {
    if ((await get(file)) === 'absent') throw statusError(hubFileUrl(id, file, endpoint), 404, file);
  };

  await need(CONFIG_FILE);
  const cachedSingle = !force && (await isFile(join(folder, WEIGHTS_FILE)));
  const cachedIndex = !force && (await isFile(join(folder, WEIGHTS_INDEX_FILE)));
  if (cachedSingle || (!cachedIndex && (await get(WEIGHTS_FILE)) !== 'absent')) {
    // single-file checkpoint, in place
  } else {
    if ((await get(WEIGHTS_INDEX_FILE)) === 'absent') {
      throw new HubError(
        `resolveCheckpoint: ${id.owner}/${id.name}@${id.revision} must hold ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}, found neither (HTTP 404). ` +
          'Only safetensors checkpoints are read: use a "-hf" repo such as state-spaces/mamba-130m-hf.',
        'not-found',
        hubFileUrl(id, WEIGHTS_FILE, endpoint),
        404,
      );
    }
    const indexPath = join(folder, WEIGHTS_INDEX_FILE);
    const text = await withIo('read', indexPath, () => readFile(indexPath, 'utf8'));
    const index = parseSafetensorsIndex(text, indexPath);
    for (const shard of new Set(index.values())) await need(shard);
  }
  await get(TOKENIZER_FILE);
  await get(TOKENIZER_CONFIG_FILE);
  return folder;
}
