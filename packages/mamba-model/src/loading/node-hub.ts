// Node-only: resolves `pathOrHubId` to a local checkpoint folder. A local folder is used as is; a
// Hugging Face hub id (`owner/name[@revision]`) is downloaded over HTTPS into a cache, one file at a
// time: to `<file>.part`, resumed with a Range request, size (and sha256 for LFS files) verified,
// then renamed into place. Redirects are followed by hand so the token never leaves the endpoint.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  parseSafetensorsIndex,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
  CONFIG_FILE,
} from './checkpoint.js';
import { HubError } from './errors.js';
import { DEFAULT_HUB_ENDPOINT, type HubId, hubFileUrl, isHubId, parseHubId } from './hub-id.js';
import { createProgressBar, type ProgressStream } from './progress.js';

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
  /** Download again even when the cache holds the files. */
  force?: boolean;
  /** Verify the sha256 the hub reports for LFS files (re-reads each file once); default true. */
  verifyChecksum?: boolean;
  /** Progress bars on stderr (true, default), on a given stream, or none (false). */
  progress?: boolean | ProgressStream;
  /** Environment to read `HF_ENDPOINT`, `HF_TOKEN`, `MAMBA_WEBGPU_CACHE` from; default `process.env`. */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 10;

/** The cache root: option, env `MAMBA_WEBGPU_CACHE`, or `~/.cache/mamba-webgpu`. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.MAMBA_WEBGPU_CACHE || join(homedir(), '.cache', 'mamba-webgpu');
}

/** The folder a hub checkpoint is cached in: `<root>/hub/<owner>--<name>/<revision>/`. */
export function hubCacheFolder(id: HubId, cacheDir: string): string {
  return join(cacheDir, 'hub', `${id.owner}--${id.name}`, id.revision.replaceAll('/', '--'));
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

interface Context {
  fetch: typeof fetch;
  token: string | undefined;
  endpointOrigin: string;
  progress: ProgressStream | undefined;
  verifyChecksum: boolean;
}

/**
 * Fetches `url`, following redirects by hand: the Authorization header goes only to the
 * endpoint's origin (the hub redirects LFS files to a CDN). Also returns the LFS headers seen on
 * the way (`x-linked-size`, `x-linked-etag` sit on the hub's redirect response).
 */
async function fetchFollowing(
  ctx: Context,
  url: string,
  init: { method: 'HEAD' | 'GET'; headers?: Record<string, string> },
): Promise<{
  response: Response;
  linkedSize: string | undefined;
  linkedEtag: string | undefined;
  url: string;
}> {
  let current = url;
  let linkedSize: string | undefined;
  let linkedEtag: string | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...init.headers };
    if (ctx.token && new URL(current).origin === ctx.endpointOrigin)
      headers.authorization = `Bearer ${ctx.token}`;
    let response: Response;
    try {
      response = await ctx.fetch(current, { method: init.method, headers, redirect: 'manual' });
    } catch (cause) {
      throw new HubError(
        `resolveCheckpoint: ${init.method} ${current} failed: ${String(cause)}. Check the network and the endpoint.`,
        'network',
        url,
        undefined,
        {
          cause,
        },
      );
    }
    linkedSize ??= response.headers.get('x-linked-size') ?? undefined;
    linkedEtag ??= response.headers.get('x-linked-etag') ?? undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    return { response, linkedSize, linkedEtag, url: current };
  }
  throw new HubError(
    `resolveCheckpoint: ${url} redirected more than ${MAX_REDIRECTS} times`,
    'too-many-redirects',
    url,
  );
}

function statusError(url: string, status: number, file: string): HubError {
  if (status === 404) {
    return new HubError(
      `resolveCheckpoint: ${file} is required but ${url} answered HTTP 404. Check the repo id, revision and file list.`,
      'not-found',
      url,
      status,
    );
  }
  if (status === 401 || status === 403) {
    return new HubError(
      `resolveCheckpoint: ${url} answered HTTP ${status}. The repo is gated or private: set HF_TOKEN (or options.token) to a token with access.`,
      'unauthorized',
      url,
      status,
    );
  }
  return new HubError(`resolveCheckpoint: expected HTTP 200 for ${url}, got ${status}`, 'http', url, status);
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Downloads one file into `dest` unless it is there already. Resolves to `absent` on HTTP 404
 * (the caller decides whether the file was optional).
 */
async function downloadFile(
  ctx: Context,
  url: string,
  dest: string,
  file: string,
  force: boolean,
): Promise<'cached' | 'downloaded' | 'absent'> {
  if (!force && (await fileSize(dest)) !== undefined) return 'cached';
  const head = await fetchFollowing(ctx, url, { method: 'HEAD' });
  await head.response.body?.cancel();
  if (head.response.status === 404) return 'absent';
  if (!head.response.ok) throw statusError(url, head.response.status, file);
  const reported =
    head.linkedSize ??
    (head.response.headers.get('content-encoding') ? null : head.response.headers.get('content-length'));
  const expected = reported === null || reported === undefined ? undefined : Number(reported);
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new HubError(
      `resolveCheckpoint: the size the hub reports for ${url} must be a byte count, got ${JSON.stringify(reported)}`,
      'http',
      url,
    );
  }
  const sha256 = head.linkedEtag?.replace(/^W\//, '').replaceAll('"', '').toLowerCase();

  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  let have = (await fileSize(part)) ?? 0;
  if (force || (expected !== undefined && have > expected)) {
    await rm(part, { force: true });
    have = 0;
  }
  if (expected === undefined || have < expected) {
    await fetchInto(ctx, url, part, file, have, expected);
  }

  const size = (await fileSize(part)) ?? 0;
  if (expected !== undefined && size !== expected) {
    if (size > expected) await rm(part, { force: true });
    throw new HubError(
      `resolveCheckpoint: ${file} from ${url} must be ${expected} bytes (the size the hub reports), got ${size}. ` +
        'Run again to resume; if it persists the server is inconsistent.',
      'size-mismatch',
      url,
    );
  }
  if (ctx.verifyChecksum && sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256)) {
    const actual = await sha256OfFile(part);
    if (actual !== sha256) {
      await rm(part, { force: true });
      throw new HubError(
        `resolveCheckpoint: ${file} from ${url} must have sha256 ${sha256}, got ${actual}. Run again to download it afresh.`,
        'checksum-mismatch',
        url,
      );
    }
  }
  try {
    await rename(part, dest);
  } catch (cause) {
    throw new HubError(
      `resolveCheckpoint: cannot move ${part} to ${dest}: ${(cause as Error).message}`,
      'io',
      dest,
      undefined,
      { cause },
    );
  }
  return 'downloaded';
}

/** GETs `url` into `part`, continuing from `have` bytes with a Range request when possible. */
async function fetchInto(
  ctx: Context,
  url: string,
  part: string,
  file: string,
  have: number,
  expected: number | undefined,
): Promise<void> {
  let offset = have;
  let { response } = await fetchFollowing(ctx, url, {
    method: 'GET',
    headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
  });
  if (response.status === 416 && offset > 0) {
    // The part file does not fit the remote file (it changed): start over.
    await response.body?.cancel();
    offset = 0;
    ({ response } = await fetchFollowing(ctx, url, { method: 'GET' }));
  }
  if (response.status === 200) offset = 0;
  else if (response.status === 206) {
    const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (start === undefined || Number(start) !== offset) {
      await response.body?.cancel();
      throw new HubError(
        `resolveCheckpoint: a Range request for ${url} from byte ${offset} got Content-Range ${response.headers.get('content-range')}`,
        'http',
        url,
        206,
      );
    }
  } else {
    await response.body?.cancel();
    throw statusError(url, response.status, file);
  }
  const handle = await open(part, offset > 0 ? 'a' : 'w');
  const bar =
    ctx.progress === undefined
      ? undefined
      : createProgressBar({ label: file, total: expected, initial: offset, stream: ctx.progress });
  let done = offset;
  try {
    const reader = response.body?.getReader();
    if (reader !== undefined) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          throw new HubError(
            `resolveCheckpoint: the download of ${url} broke off at ${done} of ${expected ?? '?'} bytes (${String(cause)}). Run again to resume.`,
            'interrupted',
            url,
            undefined,
            { cause },
          );
        }
        if (chunk.done) break;
        await handle.write(chunk.value);
        done += chunk.value.byteLength;
        bar?.update(done);
      }
    }
    bar?.finish();
  } catch (error) {
    bar?.fail();
    throw error;
  } finally {
    await handle.close();
  }
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
      `resolveCheckpoint: expected an existing folder or a hub id like "state-spaces/mamba-130m-hf[@revision]", got ${JSON.stringify(pathOrHubId)}, which is neither`,
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
      `resolveCheckpoint: the endpoint must be a URL, got ${JSON.stringify(endpoint)}`,
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
  const ctx: Context = {
    fetch: options.fetch ?? globalThis.fetch,
    token: options.token ?? (env.HF_TOKEN || undefined),
    endpointOrigin,
    progress,
    verifyChecksum: options.verifyChecksum ?? true,
  };
  const folder = hubCacheFolder(id, options.cacheDir ?? defaultCacheDir(env));
  const force = options.force ?? false;
  const get = (file: string) =>
    downloadFile(ctx, hubFileUrl(id, file, endpoint), join(folder, file), file, force);
  const need = async (file: string) => {
    if ((await get(file)) === 'absent') throw statusError(hubFileUrl(id, file, endpoint), 404, file);
  };

  await need(CONFIG_FILE);
  const cachedSingle = !force && (await fileSize(join(folder, WEIGHTS_FILE))) !== undefined;
  const cachedIndex = !force && (await fileSize(join(folder, WEIGHTS_INDEX_FILE))) !== undefined;
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
    const index = parseSafetensorsIndex(await readFile(indexPath, 'utf8'), indexPath);
    for (const shard of new Set(index.values())) await need(shard);
  }
  await get(TOKENIZER_FILE);
  await get(TOKENIZER_CONFIG_FILE);
  return folder;
}
