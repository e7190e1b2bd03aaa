// Tests of the per-file download lock: a child process (the built dist, test/loading/hub-child.mjs)
// and two calls in this process fetch one slow file into one cache, which the hub serves once;
// locks of dead or hung owners are taken over; nothing (.lock, .part) is left behind.

import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { type FakeHub, startFakeHub } from '../../test/loading/hub-server.js';
import { HubError } from './errors.js';
import { resolveCheckpoint } from './node-hub.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../../test/loading/hub-child.mjs', import.meta.url));
const model = fixtureBytes('mamba-tiny/model.safetensors');
const config = fixtureBytes('mamba-tiny/config.json');

let hub: FakeHub;
let cache: string;

beforeAll(async () => {
  hub = await startFakeHub([]);
  cache = await mkdtemp(join(tmpdir(), 'mamba-hub-lock-'));
});

afterAll(async () => {
  await hub.close();
  await rm(cache, { recursive: true, force: true });
});

afterEach(() => {
  hub.requests.length = 0;
});

/** Adds `acme/<name>` whose LFS model.safetensors comes in 16 kB pieces `everyMs` apart. */
function addSlowRepo(name: string, everyMs: number): string {
  hub.repos.push({
    id: `acme/${name}`,
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    lfs: new Set(['model.safetensors']),
    slow: new Map([['model.safetensors', everyMs]]),
  });
  return join(cache, 'hub', `acme--${name}`, 'main');
}

const options = (extra: Record<string, unknown> = {}) => ({
  env: { HF_ENDPOINT: hub.endpoint, MAMBA_WEBGPU_CACHE: cache },
  progress: false,
  timeoutMs: 2000,
  readTimeoutMs: 2000,
  retryDelayMs: 5,
  maxAttempts: 2,
  ...extra,
});
const modelGets = () =>
  hub.requests.filter(
    (r) => r.method === 'GET' && r.server === 'cdn' && r.path.endsWith('/model.safetensors'),
  );

async function waitForFile(path: string, withinMs: number): Promise<void> {
  const until = performance.now() + withinMs;
  while (!(await stat(path).catch(() => undefined))) {
    if (performance.now() > until) throw new Error(`${path} did not appear within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function expectModelCached(folder: string) {
  expect(Buffer.from(await readFile(join(folder, 'model.safetensors'))).equals(Buffer.from(model))).toBe(
    true,
  );
  expect((await readdir(folder)).sort()).toEqual(['config.json', 'model.safetensors']);
}

describe('resolveCheckpoint with one cache and several downloaders', () => {
  it('a child process and two calls here download a file once; the waiters reuse it', async () => {
    // ~1 s of body; a 500 ms stale bound proves the owner's refreshes keep its lock.
    const folder = addSlowRepo('shared', 40);
    const opts = options({ lockStaleMs: 500 });
    const other = run(process.execPath, [child, 'acme/shared', JSON.stringify(opts)]);
    other.catch(() => {}); // awaited below; this keeps an early failure from going unhandled
    await waitForFile(join(folder, 'model.safetensors.lock'), 10_000);
    const here = await Promise.all([
      resolveCheckpoint('acme/shared', opts),
      resolveCheckpoint('acme/shared', opts),
    ]);
    expect(here).toEqual([folder, folder]);
    expect((await other).stdout).toBe(folder);
    expect(modelGets()).toHaveLength(1);
    await expectModelCached(folder);
  });

  it('takes over at once a lock whose owner process is dead', async () => {
    const folder = addSlowRepo('dead-owner', 0);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.safetensors.lock'), JSON.stringify({ pid: dead, host: hostname() }));
    const started = performance.now();
    await resolveCheckpoint('acme/dead-owner', options({ lockStaleMs: 60_000 }));
    expect(performance.now() - started).toBeLessThan(5000);
    await expectModelCached(folder);
  });

  it('takes over a lock of a live owner that stopped refreshing it, after lockStaleMs', async () => {
    const folder = addSlowRepo('hung-owner', 0);
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, 'model.safetensors.lock'),
      JSON.stringify({ pid: process.pid, host: hostname() }),
    );
    const started = performance.now();
    await resolveCheckpoint('acme/hung-owner', options({ lockStaleMs: 300 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(modelGets()).toHaveLength(1);
    await expectModelCached(folder);
  });

  it('a cache folder removed mid-download is a typed error and leaves no lock', async () => {
    const folder = addSlowRepo('removed', 20);
    const download = resolveCheckpoint('acme/removed', options()).catch((e: unknown) => e);
    await waitForFile(join(folder, 'model.safetensors.part'), 5000);
    await rm(folder, { recursive: true, force: true });
    const error = await download;
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ reason: 'io' });
    expect((error as Error).message).toMatch(/^resolveCheckpoint: .*model\.safetensors\.part/);
    expect(await readdir(folder).catch(() => [])).toEqual([]);
  });
});
