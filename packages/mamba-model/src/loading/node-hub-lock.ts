// Per-file lock of the hub cache, so that two processes (or two calls in one) never write the same
// `.part` file: `<file>.lock`, created exclusively, holds the owner's pid and host; the owner
// refreshes its mtime while it works. A lock whose owner is dead (same host) or whose mtime is older
// than `staleMs` is taken over. Plain files rather than flock: Node has no flock, and this works
// on network file systems too. Also the cache's typed wrapper around fs calls.

import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { HubError } from './errors.js';

/** Runs an fs call, turning its error (ENOENT, EACCES, ENOSPC ...) into a HubError `io`. */
export async function withIo<T>(what: string, path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if (cause instanceof HubError) throw cause;
    throw new HubError(
      `resolveCheckpoint: cannot ${what} ${path}: ${(cause as Error).message}. Check that the cache folder exists and is writable (options.cacheDir).`,
      'io',
      path,
      undefined,
      { cause },
    );
  }
}

/** A held lock. */
export interface FileLock {
  /** Removes the lock (when it is still this owner's) and stops refreshing it. */
  release(): Promise<void>;
}

/** Options of `acquireFileLock`. */
export interface FileLockOptions {
  /** A lock not refreshed for this many ms is stale (its owner hangs or died elsewhere). */
  staleMs: number;
  /** Called once when the lock is busy and the caller starts waiting, with the owner's record. */
  onWait?: (owner: string) => void;
}

interface Owner {
  pid?: unknown;
  host?: unknown;
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // alive, owned by another user
  }
}

/**
 * Whether the lock at `path` is stale; `gone` when it vanished meanwhile. A record not yet written
 * (the owner is between create and write) or unreadable is judged by its age alone.
 */
async function inspect(
  path: string,
  staleMs: number,
): Promise<{ state: 'gone' } | { state: 'live' | 'stale'; ino: number; record: string }> {
  let info: Awaited<ReturnType<typeof stat>>;
  let record: string;
  try {
    info = await stat(path);
    record = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { state: 'gone' };
    throw error;
  }
  if (Date.now() - info.mtimeMs > staleMs) return { state: 'stale', ino: info.ino, record };
  let owner: Owner = {};
  try {
    owner = JSON.parse(record) as Owner;
  } catch {}
  const pid =
    Number.isSafeInteger(owner.pid) && (owner.pid as number) > 0 ? (owner.pid as number) : undefined;
  const dead = pid !== undefined && owner.host === hostname() && !processAlive(pid);
  return { state: dead ? 'stale' : 'live', ino: info.ino, record };
}

/**
 * Removes the stale lock `ino` at `path`. It is renamed aside first and checked to be the same
 * file: if another waiter replaced it meanwhile, the replacement is linked back.
 */
async function takeOver(path: string, ino: number): Promise<void> {
  const aside = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await stat(aside)).ino !== ino) await link(aside, path).catch(() => {});
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Takes the lock `path` (`<file>.lock`), waiting while a live owner holds it. The folder must
 * exist. Failures of the file system are HubError `io`.
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const { staleMs } = options;
  const pollMs = Math.min(100, Math.max(5, staleMs / 10));
  const record = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  let waiting = false;
  return withIo('lock', path, async () => {
    for (;;) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, 'wx');
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
        const lock = await inspect(path, staleMs);
        if (lock.state === 'stale') await takeOver(path, lock.ino);
        else if (lock.state === 'live') {
          if (!waiting) options.onWait?.(lock.record);
          waiting = true;
          await sleep(pollMs);
        }
        continue;
      }
      try {
        await handle.writeFile(record);
      } catch (error) {
        await handle.close();
        await rm(path, { force: true });
        throw error;
      }
      await handle.close();
      return holdLock(path, (await stat(path)).ino, staleMs);
    }
  });
}

function holdLock(path: string, ino: number, staleMs: number): FileLock {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    },
    Math.max(5, staleMs / 3),
  );
  heartbeat.unref();
  return {
    async release() {
      clearInterval(heartbeat);
      const current = await stat(path).catch(() => undefined);
      if (current?.ino === ino) await rm(path, { force: true }).catch(() => {});
    },
  };
}
