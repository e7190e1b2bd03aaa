// Downloads one hub file into the cache, under its per-file lock: HEAD for the size (and the LFS
// sha256), GET into `<file>.part` resumed with a Range request from the bytes already there, size
// and sha256 verified, then renamed into place. A failed attempt is retried with exponential
// backoff; the last failure is a HubError that names the file, the URL and the attempts.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HubError } from './errors.js';
import { sha256FromEtag } from './hub-id.js';
import { fetchFollowing, type HubHttp, statusError, Watchdog } from './node-hub-http.js';
import { acquireFileLock, withIo } from './node-hub-lock.js';
import { createProgressBar, type ProgressStream } from './progress.js';
import { describeJson } from './json.js';

/** Everything one download needs, resolved from `ResolveCheckpointOptions`. */
export interface DownloadContext extends HubHttp {
  progress: ProgressStream | undefined;
  verifyChecksum: boolean;
  /** Attempts per file (>= 1). */
  maxAttempts: number;
  /** Wait before the second attempt, doubled before each further one. */
  retryDelayMs: number;
  /** Age after which a lock nobody refreshes is taken over. */
  lockStaleMs: number;
}

/** What the hub says about a file: its size and, for LFS files, its sha256. */
interface Remote {
  expected: number | undefined;
  sha256: string | undefined;
}

/** Errors of a retryable reason that another attempt cannot fix (the server contradicts itself). */
const finalErrors = new WeakSet<HubError>();

function isRetryable(error: unknown): error is HubError {
  if (!(error instanceof HubError) || finalErrors.has(error)) return false;
  switch (error.reason) {
    case 'network':
    case 'timeout':
    case 'interrupted':
    case 'size-mismatch':
    case 'checksum-mismatch':
      return true;
    case 'http':
      // 206: a Range answer that did not fit (the part was dropped, the next attempt starts over).
      return error.status === 206 || error.status === 429 || (error.status ?? 0) >= 500;
    default:
      return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fileInfo(path: string) {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info : undefined;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Downloads `url` into `dest` unless it is there already (or `force`). Resolves to `absent` on
 * HTTP 404 (the caller decides whether the file was optional). While another process holds the
 * file's lock this waits, then reuses what that process wrote.
 */
export async function downloadFile(
  ctx: DownloadContext,
  url: string,
  dest: string,
  file: string,
  force: boolean,
): Promise<'cached' | 'downloaded' | 'absent'> {
  const before = await fileInfo(dest);
  if (!force && before !== undefined) return 'cached';
  await withIo('create the folder', dirname(dest), () => mkdir(dirname(dest), { recursive: true }));
  const lock = await acquireFileLock(`${dest}.lock`, {
    staleMs: ctx.lockStaleMs,
    onWait: (owner) => ctx.progress?.write(`${file}: waiting for another download (${owner})\n`),
  });
  try {
    const now = await fileInfo(dest);
    if (now !== undefined && now.ino !== before?.ino) return 'cached'; // written while this waited
    const part = `${dest}.part`;
    if (force) await withIo('remove', part, () => rm(part, { force: true }));
    return await downloadWithRetries(ctx, url, dest, file);
  } finally {
    await lock.release();
  }
}

async function downloadWithRetries(
  ctx: DownloadContext,
  url: string,
  dest: string,
  file: string,
): Promise<'downloaded' | 'absent'> {
  const part = `${dest}.part`;
  let remote: Remote | 'absent' | undefined;
  let last: HubError | undefined;
  for (let attempt = 1; attempt <= ctx.maxAttempts; attempt++) {
    if (attempt > 1) await sleep(ctx.retryDelayMs * 2 ** (attempt - 2));
    try {
      remote ??= await headRemote(ctx, url, file);
      if (remote === 'absent') return 'absent';
      await fetchPart(ctx, url, part, file, remote);
      await verifyPart(ctx, url, part, file, remote);
      await withIo('move the download into place from', part, () => rename(part, dest));
      return 'downloaded';
    } catch (error) {
      if (!isRetryable(error)) {
        await dropEmptyPart(part);
        throw attempt > 1 && error instanceof HubError ? giveUp(url, part, file, error, attempt) : error;
      }
      last = error;
      // After a mismatch the file may have changed on the hub: ask for its size again.
      if (error.reason === 'size-mismatch' || error.reason === 'checksum-mismatch') remote = undefined;
    }
  }
  await dropEmptyPart(part);
  throw giveUp(url, part, file, last!, ctx.maxAttempts);
}

/** A `.part` with no bytes is useless to resume from; one with bytes is a prefix, kept for the next run. */
async function dropEmptyPart(part: string): Promise<void> {
  if ((await fileInfo(part))?.size === 0) await rm(part, { force: true }).catch(() => {});
}

function giveUp(url: string, part: string, file: string, last: HubError, attempts: number): HubError {
  const lastMessage = last.message.replace(/^resolveCheckpoint: /, '');
  const advice =
    last.reason === 'size-mismatch' || last.reason === 'checksum-mismatch'
      ? 'The server sends other bytes than the hub reports: run again later'
      : 'Check the network and run again (options.timeoutMs, readTimeoutMs and maxAttempts set the bounds)';
  return new HubError(
    `resolveCheckpoint: could not download ${file} from ${url} in ${attempts} attempt(s); the last: ${lastMessage}. ` +
      `${advice}; a run resumes from the bytes kept in ${part}, if any.`,
    last.reason,
    url,
    last.status,
    { cause: last, attempts },
  );
}

async function headRemote(ctx: DownloadContext, url: string, file: string): Promise<Remote | 'absent'> {
  const head = await fetchFollowing(ctx, url, { method: 'HEAD' }, new Watchdog());
  await head.response.body?.cancel().catch(() => {});
  if (head.response.status === 404) return 'absent';
  if (!head.response.ok) throw statusError(url, head.response.status, file);
  const reported =
    head.linkedSize ??
    (head.response.headers.get('content-encoding') ? null : head.response.headers.get('content-length'));
  const expected = reported === null || reported === undefined ? undefined : Number(reported);
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new HubError(
      `resolveCheckpoint: the size the hub reports for ${url} must be a byte count, got ${describeJson(reported)}`,
      'http',
      url,
    );
  }
  return { expected, sha256: sha256FromEtag(head.linkedEtag) };
}

/**
 * GETs `url` into `part`, continuing from the bytes already there with a Range request. Fills in
 * `remote.expected` from the GET (Content-Length, Content-Range) when the HEAD gave no size.
 */
async function fetchPart(
  ctx: DownloadContext,
  url: string,
  part: string,
  file: string,
  remote: Remote,
): Promise<void> {
  let offset = (await fileInfo(part))?.size ?? 0;
  if (remote.expected !== undefined && offset > remote.expected) {
    await withIo('remove', part, () => rm(part, { force: true }));
    offset = 0;
  }
  if (remote.expected !== undefined && offset === remote.expected) return; // whole: verify it
  const watchdog = new Watchdog();
  try {
    let { response } = await fetchFollowing(
      ctx,
      url,
      { method: 'GET', headers: offset > 0 ? { range: `bytes=${offset}-` } : {} },
      watchdog,
    );
    if (response.status === 416 && offset > 0) {
      if ((await afterRangeRefused(response, url, part, file, offset, remote)) === 'whole') return;
      offset = 0; // the part file does not fit the remote file (it changed): start over
      ({ response } = await fetchFollowing(ctx, url, { method: 'GET' }, watchdog));
    }
    const total = sizeFromGet(response);
    if (response.status === 200) offset = 0;
    else if (response.status !== 206) {
      throw statusError(url, response.status, file);
    } else if (!response.headers.get('content-range')?.startsWith(`bytes ${offset}-`)) {
      await withIo('remove', part, () => rm(part, { force: true }));
      throw new HubError(
        `resolveCheckpoint: a Range request for ${url} from byte ${offset} got Content-Range ${response.headers.get('content-range')}`,
        'http',
        url,
        206,
      );
    }
    remote.expected ??= total;
    await readBody(ctx, watchdog, response, url, part, file, offset, remote.expected);
  } finally {
    watchdog.controller.abort(); // frees the connection of a body left unread
  }
}

/**
 * After a 416 for `bytes=<offset>-`: `whole` when the server holds exactly `offset` bytes and the
 * hub gave no size; a final size mismatch when the hub's size contradicts that; else `restart`.
 */
async function afterRangeRefused(
  response: Response,
  url: string,
  part: string,
  file: string,
  offset: number,
  remote: Remote,
): Promise<'whole' | 'restart'> {
  await response.body?.cancel().catch(() => {});
  const total = /^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  if (total === undefined || Number(total) !== offset) return 'restart';
  if (remote.expected === undefined) {
    remote.expected = offset;
    return 'whole';
  }
  // The server has exactly the bytes we hold: the hub's size is what is wrong.
  await withIo('remove', part, () => rm(part, { force: true }));
  const error = new HubError(
    `resolveCheckpoint: ${file} from ${url} must be ${remote.expected} bytes (the size the hub reports), but the server has ${offset}`,
    'size-mismatch',
    url,
    416,
  );
  finalErrors.add(error);
  throw error;
}

/** The file's whole size as a GET tells it: Content-Length of a 200, the total of a 206's Content-Range. */
function sizeFromGet(response: Response): number | undefined {
  if (response.status === 206) {
    const total = /^bytes \d+-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
    return total === undefined ? undefined : Number(total);
  }
  const length = response.headers.get('content-length');
  if (response.status !== 200 || length === null || response.headers.get('content-encoding'))
    return undefined;
  return Number.isSafeInteger(Number(length)) ? Number(length) : undefined;
}

async function readBody(
  ctx: DownloadContext,
  watchdog: Watchdog,
  response: Response,
  url: string,
  part: string,
  file: string,
  offset: number,
  expected: number | undefined,
): Promise<void> {
  const handle = await withIo('write', part, () => open(part, offset > 0 ? 'a' : 'w'));
  const bar =
    ctx.progress === undefined
      ? undefined
      : createProgressBar({ label: file, total: expected, initial: offset, stream: ctx.progress });
  let done = offset;
  try {
    const reader = response.body?.getReader();
    for (;;) {
      if (reader === undefined) break;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      watchdog.arm(ctx.readTimeoutMs, 'body');
      try {
        chunk = await reader.read();
      } catch (cause) {
        const stalled = watchdog.expired === 'body';
        throw new HubError(
          stalled
            ? `resolveCheckpoint: the body of ${url} stalled: no byte for ${ctx.readTimeoutMs} ms at ${done} of ${expected ?? '?'} bytes (options.readTimeoutMs)`
            : `resolveCheckpoint: the download of ${url} broke off at ${done} of ${expected ?? '?'} bytes (${String(cause)})`,
          stalled ? 'timeout' : 'interrupted',
          url,
          undefined,
          { cause },
        );
      } finally {
        watchdog.disarm();
      }
      if (chunk.done) break;
      const bytes = chunk.value;
      await withIo('write', part, () => handle.write(bytes));
      done += bytes.byteLength;
      bar?.update(done);
    }
    bar?.finish();
  } catch (error) {
    bar?.fail(error instanceof Error ? error.message.replace(/^resolveCheckpoint: /, '') : undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

/** Checks the finished part against the size (and sha256) the hub reports. */
async function verifyPart(
  ctx: DownloadContext,
  url: string,
  part: string,
  file: string,
  remote: Remote,
): Promise<void> {
  const info = await fileInfo(part);
  if (info === undefined) {
    throw new HubError(
      `resolveCheckpoint: the partial download ${part} vanished while it was written. Check that nothing else cleans the cache folder.`,
      'io',
      part,
    );
  }
  const { expected, sha256 } = remote;
  if (expected !== undefined && info.size !== expected) {
    if (info.size > expected) await withIo('remove', part, () => rm(part, { force: true }));
    throw new HubError(
      `resolveCheckpoint: ${file} from ${url} must be ${expected} bytes (the size the hub reports), got ${info.size}`,
      'size-mismatch',
      url,
    );
  }
  if (ctx.verifyChecksum && sha256 !== undefined) {
    const actual = await withIo('read', part, () => sha256OfFile(part));
    if (actual !== sha256) {
      await withIo('remove', part, () => rm(part, { force: true }));
      throw new HubError(
        `resolveCheckpoint: ${file} from ${url} must have sha256 ${sha256}, got ${actual}`,
        'checksum-mismatch',
        url,
      );
    }
  }
}
