// Tests of resolveCheckpoint against a misbehaving fake hub on 127.0.0.1: a HEAD never answered, a
// body that stalls, a body without Content-Length that ends early, each retried (Range from the
// `.part` bytes) and then a typed error; `force`; option checks. Timeouts are 150 ms here.

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { type FakeHub, type FakeRepo, type Fault, startFakeHub } from '../../test/loading/hub-server.js';
import { HubError } from './errors.js';
import { resolveCheckpoint } from './node-hub.js';

const model = fixtureBytes('mamba-tiny/model.safetensors');
const config = fixtureBytes('mamba-tiny/config.json');

let hub: FakeHub;
let cache: string;

beforeAll(async () => {
  hub = await startFakeHub([]);
  cache = await mkdtemp(join(tmpdir(), 'mamba-hub-faults-'));
});

afterAll(async () => {
  await hub.close();
  await rm(cache, { recursive: true, force: true });
});

afterEach(() => {
  hub.requests.length = 0;
});

/** Adds a repo `acme/<name>` with config.json and model.safetensors (LFS unless `lfs: false`). */
function addRepo(name: string, faults: Record<string, Fault> = {}, lfs = true): FakeRepo {
  const repo: FakeRepo = {
    id: `acme/${name}`,
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    ...(lfs ? { lfs: new Set(['model.safetensors']) } : {}),
    faults: new Map(Object.entries(faults)),
  };
  hub.repos.push(repo);
  return repo;
}

const folderOf = (name: string) => join(cache, 'hub', `acme--${name}`, 'main');
const options = () => ({
  env: { HF_ENDPOINT: hub.endpoint, MAMBA_WEBGPU_CACHE: cache },
  progress: false,
  timeoutMs: 150,
  readTimeoutMs: 150,
  retryDelayMs: 5,
  maxAttempts: 3,
});
const requestsFor = (file: string, method: string) =>
  hub.requests.filter((r) => r.method === method && r.path.endsWith(`/${file}`));

async function hubError(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  expect((error as Error).message).toMatch(/^resolveCheckpoint: /);
  return error as HubError;
}

async function expectModelCached(name: string) {
  const folder = folderOf(name);
  expect(Buffer.from(await readFile(join(folder, 'model.safetensors'))).equals(Buffer.from(model))).toBe(
    true,
  );
  expect((await readdir(folder)).sort()).toEqual(['config.json', 'model.safetensors']);
}

describe('resolveCheckpoint against a misbehaving hub', () => {
  it('retries a HEAD that is never answered', async () => {
    addRepo('head-hangs-once', { 'config.json': { kind: 'hang', method: 'HEAD', times: 1 } }, false);
    await resolveCheckpoint('acme/head-hangs-once', options());
    expect(requestsFor('config.json', 'HEAD')).toHaveLength(2);
    await expectModelCached('head-hangs-once');
  });

  it('gives up on a HEAD never answered with a typed timeout naming the file and the attempts', async () => {
    addRepo('head-hangs', { 'config.json': { kind: 'hang', method: 'HEAD', times: Infinity } }, false);
    const started = performance.now();
    const error = await hubError(resolveCheckpoint('acme/head-hangs', options()));
    expect(performance.now() - started).toBeLessThan(3000); // 3 x 150 ms + 5 + 10 ms of backoff
    expect(error).toMatchObject({ reason: 'timeout', attempts: 3 });
    expect(error.file).toContain('/acme/head-hangs/resolve/main/config.json');
    expect(error.message).toContain('config.json');
    expect(error.message).toContain('in 3 attempt(s)');
    expect(error.message).toContain('options.timeoutMs');
    expect(requestsFor('config.json', 'HEAD')).toHaveLength(3);
    expect(await readdir(folderOf('head-hangs'))).toEqual([]);
  });

  it('resumes a body that stalls with a Range request from the bytes in the .part file', async () => {
    addRepo('stalls-once', { 'model.safetensors': { kind: 'stall', after: 100_000, times: 1 } });
    await resolveCheckpoint('acme/stalls-once', options());
    const gets = requestsFor('model.safetensors', 'GET').filter((r) => r.server === 'cdn');
    expect(gets.map((r) => r.range)).toEqual([undefined, 'bytes=100000-']);
    await expectModelCached('stalls-once');
  });

  it('gives up on a body that always stalls, keeping the .part prefix for the next run', async () => {
    const repo = addRepo('stalls', {
      'model.safetensors': { kind: 'stall', after: 50_000, times: Infinity },
    });
    const error = await hubError(resolveCheckpoint('acme/stalls', options()));
    expect(error).toMatchObject({ reason: 'timeout', attempts: 3 });
    expect(error.message).toContain('stalled');
    expect(error.message).toContain('options.readTimeoutMs');
    const folder = folderOf('stalls');
    expect((await readdir(folder)).sort()).toEqual(['config.json', 'model.safetensors.part']);
    const part = await readFile(join(folder, 'model.safetensors.part'));
    expect(part.byteLength).toBe(150_000); // 50 000 bytes per attempt, each resumed
    expect(part.equals(Buffer.from(model.subarray(0, 150_000)))).toBe(true);

    repo.faults!.clear();
    hub.requests.length = 0;
    await resolveCheckpoint('acme/stalls', options());
    const gets = requestsFor('model.safetensors', 'GET').filter((r) => r.server === 'cdn');
    expect(gets.map((r) => r.range)).toEqual(['bytes=150000-']);
    await expectModelCached('stalls');
  });

  it('does not cache a body without Content-Length that ends early: it resumes it', async () => {
    addRepo('ends-early-once', { 'model.safetensors': { kind: 'end-early', after: 60_000, times: 1 } });
    await resolveCheckpoint('acme/ends-early-once', options());
    const gets = requestsFor('model.safetensors', 'GET').filter((r) => r.server === 'cdn');
    expect(gets.map((r) => r.range)).toEqual([undefined, 'bytes=60000-']);
    await expectModelCached('ends-early-once');
  });

  it('a body that always ends early is a typed size mismatch, never a cached file', async () => {
    for (const lfs of [true, false]) {
      const name = `ends-early-${lfs ? 'lfs' : 'plain'}`;
      addRepo(name, { 'model.safetensors': { kind: 'end-early', after: 10_000, times: Infinity } }, lfs);
      const error = await hubError(resolveCheckpoint(`acme/${name}`, options()));
      expect(error).toMatchObject({ reason: 'size-mismatch', attempts: 3 });
      expect(error.message).toContain(`must be ${model.byteLength} bytes`);
      expect((await readdir(folderOf(name))).sort()).toEqual(['config.json', 'model.safetensors.part']);
      expect((await stat(join(folderOf(name), 'model.safetensors.part'))).size).toBe(30_000);
    }
  });

  it('force: true downloads again even when cached', async () => {
    addRepo('forced');
    await resolveCheckpoint('acme/forced', options());
    await writeFile(join(folderOf('forced'), 'model.safetensors'), 'stale');
    hub.requests.length = 0;
    await resolveCheckpoint('acme/forced', options());
    expect(requestsFor('model.safetensors', 'GET')).toEqual([]);
    await resolveCheckpoint('acme/forced', { ...options(), force: true });
    expect(requestsFor('model.safetensors', 'GET').filter((r) => r.server === 'cdn')).toHaveLength(1);
    await expectModelCached('forced');
  });

  it('checks the timeouts, attempts and lock bound it is given', async () => {
    for (const bad of [
      { timeoutMs: -1 },
      { readTimeoutMs: Number.NaN },
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { lockStaleMs: 0 },
    ]) {
      const error = await resolveCheckpoint('acme/forced', { ...options(), ...bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(Object.keys(bad)[0]);
      expect((error as Error).message).toMatch(/^resolveCheckpoint: options\./);
    }
  });
});
