// Tests of resolveCheckpoint against a fake hub on 127.0.0.1: download into the cache layout,
// cache hits, LFS redirects (token kept off the CDN), sharded repos, an interrupted download
// resumed with a Range request by a later run, 404s for required files, size and checksum
// mismatches (retried, then typed errors). Timeouts, retries and locks: node-hub-faults.test.ts.

import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSafetensors, fixtureBytes, fixturePath } from '../../test/loading/helpers.js';
import { type FakeHub, type FakeRepo, startFakeHub } from '../../test/loading/hub-server.js';
import { bytesSource } from './byte-source.js';
import { openCheckpoint } from './checkpoint.js';
import { HubError } from './errors.js';
import { hubBaseUrl, parseHubId } from './hub-id.js';
import { openLocalCheckpoint } from './node-folder-store.js';
import { hubCacheFolder, resolveCheckpoint } from './node-hub.js';
import { readAllTensors } from './safetensors.js';
import { urlStore } from './store.js';

const model = fixtureBytes('mamba-tiny/model.safetensors');
const config = fixtureBytes('mamba-tiny/config.json');
const tokenizer = new TextEncoder().encode('{"version":"1.0","model":{"type":"BPE"}}');

async function shardedFiles(): Promise<Map<string, Uint8Array>> {
  const tensors = [...(await readAllTensors(bytesSource(model))).values()].map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    data: t.bytes.slice(),
  }));
  const files = new Map<string, Uint8Array>([
    ['config.json', config],
    ['tokenizer.json', tokenizer],
  ]);
  const weightMap: Record<string, string> = {};
  for (const [i, part] of [tensors.slice(0, 9), tensors.slice(9)].entries()) {
    const name = `model-0000${i + 1}-of-00002.safetensors`;
    files.set(name, buildSafetensors(part));
    for (const t of part) weightMap[t.name] = name;
  }
  files.set(
    'model.safetensors.index.json',
    new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: weightMap })),
  );
  return files;
}

let hub: FakeHub;
let cache: string;
const repos: Record<string, FakeRepo> = {};

beforeAll(async () => {
  repos.single = {
    id: 'acme/mamba-tiny',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    lfs: new Set(['model.safetensors']),
  };
  repos.sharded = {
    id: 'acme/mamba-sharded',
    revision: 'v1.0',
    files: await shardedFiles(),
    lfs: new Set(['model-00001-of-00002.safetensors']),
  };
  repos.resume = {
    id: 'acme/resume',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    lfs: new Set(['model.safetensors']),
  };
  repos.plain = {
    id: 'acme/plain',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
  };
  repos.noConfig = { id: 'acme/no-config', files: new Map([['model.safetensors', model]]) };
  repos.binOnly = {
    id: 'acme/bin-only',
    files: new Map([
      ['config.json', config],
      ['pytorch_model.bin', new Uint8Array(10)],
    ]),
  };
  repos.lying = {
    id: 'acme/lying',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    lfs: new Set(['model.safetensors']),
    reportedSize: new Map([['model.safetensors', model.byteLength + 100]]),
  };
  repos.lyingPlain = {
    id: 'acme/lying-plain',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    reportedSize: new Map([['model.safetensors', model.byteLength - 100]]),
  };
  repos.badSha = {
    id: 'acme/bad-sha',
    files: new Map([
      ['config.json', config],
      ['model.safetensors', model],
    ]),
    lfs: new Set(['model.safetensors']),
    reportedSha256: new Map([['model.safetensors', 'ab'.repeat(32)]]),
  };
  hub = await startFakeHub(Object.values(repos));
  cache = await mkdtemp(join(tmpdir(), 'mamba-hub-cache-'));
});

afterAll(async () => {
  await hub.close();
  await rm(cache, { recursive: true, force: true });
});

afterEach(() => {
  hub.requests.length = 0;
});

const env = () => ({ HF_ENDPOINT: hub.endpoint, HF_TOKEN: 'hf_secret', MAMBA_WEBGPU_CACHE: cache });
/** Options that keep retries short: 3 attempts, 1 ms then 2 ms apart. */
const fast = () => ({ env: env(), progress: false, maxAttempts: 3, retryDelayMs: 1 });

async function hubError(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  expect((error as Error).message).toMatch(/^resolveCheckpoint: /);
  return error as HubError;
}

describe('resolveCheckpoint', () => {
  it('returns a local folder (or the folder of a file in it) as is', async () => {
    expect(await resolveCheckpoint(fixturePath('mamba-tiny'))).toBe(fixturePath('mamba-tiny'));
    expect(await resolveCheckpoint(fixturePath('mamba-tiny/config.json'))).toBe(fixturePath('mamba-tiny'));
    expect((await hubError(resolveCheckpoint('./no/such/folder'))).reason).toBe('not-found');
    expect((await hubError(resolveCheckpoint('not a hub id'))).reason).toBe('bad-id');
  });

  it('downloads a hub checkpoint into the cache, then serves it from there', async () => {
    const folder = await resolveCheckpoint('acme/mamba-tiny', { env: env(), progress: false });
    expect(folder).toBe(join(cache, 'hub', 'acme--mamba-tiny', 'main'));
    expect((await readdir(folder)).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(Buffer.from(await readFile(join(folder, 'model.safetensors'))).equals(Buffer.from(model))).toBe(
      true,
    );
    // The token goes to the hub, never to the CDN the LFS file redirects to.
    expect(
      hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === 'Bearer hf_secret'),
    ).toBe(true);
    const cdnRequests = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdnRequests.length).toBeGreaterThan(0);
    expect(cdnRequests.every((r) => r.authorization === undefined)).toBe(true);
    // tokenizer.json and tokenizer_config.json are optional: their 404s were tolerated.
    expect(hub.requests.some((r) => r.path.endsWith('/tokenizer.json'))).toBe(true);
    expect(hub.requests.some((r) => r.path.endsWith('/tokenizer_config.json'))).toBe(true);
    const checkpoint = await openLocalCheckpoint(folder);
    expect(checkpoint.tensors.length).toBe(22);
    await checkpoint.close();

    hub.requests.length = 0;
    expect(await resolveCheckpoint('acme/mamba-tiny', { env: env(), progress: false })).toBe(folder);
    // Only the optional files that were absent (tokenizer.json, tokenizer_config.json) are asked again.
    expect(hub.requests.filter((r) => !/\/tokenizer(_config)?\.json$/.test(r.path))).toEqual([]);
  });

  it('downloads a sharded checkpoint at a revision, with its tokenizer, via the endpoint option', async () => {
    const other = await mkdtemp(join(tmpdir(), 'mamba-hub-other-'));
    try {
      const folder = await resolveCheckpoint('acme/mamba-sharded@v1.0', {
        endpoint: hub.endpoint,
        cacheDir: other,
        env: {},
        progress: false,
      });
      expect(folder).toBe(hubCacheFolder(parseHubId('acme/mamba-sharded@v1.0'), other));
      expect((await readdir(folder)).sort()).toEqual([
        'config.json',
        'model-00001-of-00002.safetensors',
        'model-00002-of-00002.safetensors',
        'model.safetensors.index.json',
        'tokenizer.json',
      ]);
      expect(hub.requests.every((r) => r.authorization === undefined)).toBe(true);
      const sharded = await openLocalCheckpoint(folder);
      const single = await openLocalCheckpoint(fixturePath('mamba-tiny'));
      for (const tensor of single.tensors) {
        const a = await sharded.readTensor(tensor.key);
        const b = await single.readTensor(tensor.key);
        expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), tensor.key).toBe(true);
      }
      expect(await sharded.readTokenizerJson()).toBe(new TextDecoder().decode(tokenizer));
      await Promise.all([sharded.close(), single.close()]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a later run resumes an interrupted download with a Range request', async () => {
    const cut = 150_000;
    repos.resume!.interruptOnce = new Map([['model.safetensors', cut]]);
    const error = await hubError(resolveCheckpoint('acme/resume', { ...fast(), maxAttempts: 1 }));
    expect(error).toMatchObject({ reason: 'interrupted', attempts: 1 });
    const folder = join(cache, 'hub', 'acme--resume', 'main');
    const partSize = (await stat(join(folder, 'model.safetensors.part'))).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThanOrEqual(cut);
    await expect(stat(join(folder, 'model.safetensors'))).rejects.toThrow();
    expect(await readdir(folder)).not.toContain('model.safetensors.lock');

    hub.requests.length = 0;
    await resolveCheckpoint('acme/resume', { env: env(), progress: false });
    const gets = hub.requests.filter(
      (r) => r.method === 'GET' && r.path.endsWith('model.safetensors') && r.server === 'cdn',
    );
    expect(gets.map((r) => r.range)).toEqual([`bytes=${partSize}-`]);
    expect(Buffer.from(await readFile(join(folder, 'model.safetensors'))).equals(Buffer.from(model))).toBe(
      true,
    );
    expect(await readdir(folder)).not.toContain('model.safetensors.part');
  });

  it('a 404 for a required file is a typed error', async () => {
    const missingConfig = await hubError(
      resolveCheckpoint('acme/no-config', { env: env(), progress: false }),
    );
    expect(missingConfig).toMatchObject({ reason: 'not-found', status: 404 });
    expect(missingConfig.file).toContain('/acme/no-config/resolve/main/config.json');
    const binOnly = await hubError(resolveCheckpoint('acme/bin-only', { env: env(), progress: false }));
    expect(binOnly).toMatchObject({ reason: 'not-found', status: 404 });
    expect(binOnly.message).toContain('model.safetensors.index.json');
    const noRepo = await hubError(resolveCheckpoint('acme/nothing-here', { env: env(), progress: false }));
    expect(noRepo.reason).toBe('not-found');
  });

  it('detects a size mismatch against x-linked-size and Content-Length', async () => {
    // The hub says 100 bytes more than the CDN has: the CDN's 416 for the rest settles it at once.
    const lfs = await hubError(resolveCheckpoint('acme/lying', fast()));
    expect(lfs).toMatchObject({ reason: 'size-mismatch', attempts: 2 });
    expect(lfs.message).toContain(String(model.byteLength + 100));
    expect(await readdir(join(cache, 'hub', 'acme--lying', 'main'))).toEqual(['config.json']);
    // The hub says 100 bytes fewer than the body: retried from scratch, then a typed error.
    const plain = await hubError(resolveCheckpoint('acme/lying-plain', fast()));
    expect(plain).toMatchObject({ reason: 'size-mismatch', attempts: 3 });
    expect(plain.message).toContain('in 3 attempt(s)');
    expect(await readdir(join(cache, 'hub', 'acme--lying-plain', 'main'))).toEqual(['config.json']);
  });

  it('detects a sha256 mismatch against x-linked-etag, after retries', async () => {
    const error = await hubError(resolveCheckpoint('acme/bad-sha', fast()));
    expect(error).toMatchObject({ reason: 'checksum-mismatch', attempts: 3 });
    const gets = hub.requests.filter((r) => r.method === 'GET' && r.server === 'cdn');
    expect(gets.map((r) => r.range)).toEqual([undefined, undefined, undefined]);
    expect(await readdir(join(cache, 'hub', 'acme--bad-sha', 'main'))).toEqual(['config.json']);
  });
});

describe('urlStore (the browser path)', () => {
  it('opens a hub checkpoint over HTTP Range requests without downloading it whole', async () => {
    const store = urlStore(hubBaseUrl(parseHubId('acme/plain'), hub.endpoint));
    const checkpoint = await openCheckpoint(store);
    const local = await openLocalCheckpoint(fixturePath('mamba-tiny'));
    for await (const tensor of checkpoint.readTensors()) {
      const expected = await local.readTensor(tensor.key);
      expect(Buffer.from(tensor.bytes).equals(Buffer.from(expected.bytes)), tensor.key).toBe(true);
    }
    const ranges = hub.requests
      .filter((r) => r.method === 'GET' && r.path.endsWith('model.safetensors'))
      .map((r) => r.range);
    expect(ranges.every((r) => r !== undefined)).toBe(true);
    expect(await checkpoint.readTokenizerJson()).toBeUndefined();
    await Promise.all([checkpoint.close(), local.close()]);
  });
});
