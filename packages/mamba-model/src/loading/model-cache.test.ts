// Tests of the model cache and `urlStore(..., { cache })` over an in-memory backend and a fake
// server: a second load makes no request; broken, short, oversized or mis-hashed downloads are
// never cached; a cached file of the wrong size is downloaded again; quota errors say how much.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakeBackend, fakeFetch, type ServedFile } from '../../test/loading/cache-fakes.js';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { HubError, ModelCacheError } from './errors.js';
import { cacheFolderName, ModelCache } from './model-cache.js';
import { clearModelCache, listCachedModels, openModelCache } from './opfs-cache.js';
import { memoryStore, urlStore } from './store.js';
import { describeResponse } from './url-cache.js';

const BASE = 'https://models.test/mamba-tiny/';
const config = fixtureBytes('mamba-tiny/config.json');
const weights = fixtureBytes('mamba-tiny/model.safetensors');
const sha256 = createHash('sha256').update(weights).digest('hex');

function server(weightsFile: Partial<ServedFile> = {}) {
  const files = new Map<string, ServedFile>([
    [`${BASE}config.json`, { bytes: config }],
    [`${BASE}model.safetensors`, { bytes: weights, ...weightsFile }],
  ]);
  return { files, ...fakeFetch(files) };
}

/** Each tensor's sha256 (comparing digests: toEqual on 400 kB of typed arrays takes a second). */
async function tensorsOf(open: Promise<Checkpoint>): Promise<Map<string, string>> {
  const checkpoint = await open;
  try {
    const out = new Map<string, string>();
    for await (const tensor of checkpoint.readTensors()) {
      out.set(tensor.key, createHash('sha256').update(tensor.bytes).digest('hex'));
    }
    await checkpoint.readTokenizerJson();
    await checkpoint.readTokenizerConfigJson();
    return out;
  } finally {
    await checkpoint.close();
  }
}

const reference = tensorsOf(
  openCheckpoint(memoryStore({ 'config.json': config, 'model.safetensors': weights })),
);

describe('urlStore with a cache', () => {
  it('downloads each file once; the second load makes no request and reads the same tensors', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch, requests } = server({ headers: { 'x-linked-etag': `"${sha256}"` } });
    const first = await tensorsOf(openCheckpoint(urlStore(BASE, { cache, fetch })));
    expect(requests).toEqual([
      `GET ${BASE}config.json`,
      `GET ${BASE}model.safetensors`,
      `GET ${BASE}tokenizer.json`,
      `GET ${BASE}tokenizer_config.json`,
    ]);
    requests.length = 0;
    const second = await tensorsOf(openCheckpoint(urlStore(BASE, { cache, fetch })));
    expect(requests).toEqual([]);
    expect(first).toEqual(await reference);
    expect(second).toEqual(await reference);
    const [model] = await cache.list();
    expect(model?.location).toBe(BASE);
    expect(model?.totalBytes).toBe(config.byteLength + weights.byteLength);
    expect(model?.partialBytes).toBe(0);
    expect(model?.files.map((f) => [f.file, f.size, f.sha256])).toEqual([
      ['config.json', config.byteLength, undefined],
      ['model.safetensors', weights.byteLength, sha256],
    ]);
  });

  it('reports download progress up to the full size', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch } = server();
    const seen: number[] = [];
    const store = urlStore(BASE, {
      cache,
      fetch,
      onDownloadProgress: (p) => p.file === 'model.safetensors' && seen.push(p.loadedBytes),
    });
    await (await store.open('model.safetensors'))?.close?.();
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(weights.byteLength);
  });

  it('discards a cached file whose size no longer matches its record and downloads it again', async () => {
    const backend = fakeBackend();
    const cache = new ModelCache(backend);
    const { fetch, requests } = server();
    await tensorsOf(openCheckpoint(urlStore(BASE, { cache, fetch })));
    const folder = backend.folders.get(cacheFolderName(BASE))!;
    folder.set('d-model.safetensors', weights.slice(0, 1000)); // evicted or damaged on disk
    requests.length = 0;
    expect(await tensorsOf(openCheckpoint(urlStore(BASE, { cache, fetch })))).toEqual(await reference);
    expect(requests).toEqual([`GET ${BASE}model.safetensors`]);
  });

  it('never caches a download that breaks off, and downloads it again next time', async () => {
    const backend = fakeBackend();
    const cache = new ModelCache(backend);
    const broken = server({ failAt: 200_000 });
    const error = await openCheckpoint(urlStore(BASE, { cache, fetch: broken.fetch })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).reason).toBe('interrupted');
    expect((error as Error).message).toMatch(
      /^ModelCache\.put: the download of .*model\.safetensors broke off/,
    );
    expect((await cache.lookup(BASE, 'model.safetensors')) === undefined).toBe(true);
    expect(backend.folders.get(cacheFolderName(BASE))?.has('d-model.safetensors')).toBe(false);
    const { fetch, requests } = server();
    expect(await tensorsOf(openCheckpoint(urlStore(BASE, { cache, fetch })))).toEqual(await reference);
    expect(requests).toContain(`GET ${BASE}model.safetensors`);
  });

  it('refuses a short body (size-mismatch) and caches nothing of it', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch } = server({ cutAt: 1234 });
    const error = await urlStore(BASE, { cache, fetch })
      .open('model.safetensors')
      .catch((e: unknown) => e);
    expect((error as HubError).reason).toBe('size-mismatch');
    expect((error as Error).message).toContain(`must have ${weights.byteLength} bytes, got 1234`);
    expect(await cache.lookup(BASE, 'model.safetensors')).toBeUndefined();
    expect(await cache.list()).toEqual([]);
  });

  it('refuses a body whose sha256 differs from X-Linked-Etag', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch } = server({ headers: { 'x-linked-etag': `"${'ab'.repeat(32)}"` } });
    const error = await urlStore(BASE, { cache, fetch })
      .open('model.safetensors')
      .catch((e: unknown) => e);
    expect((error as HubError).reason).toBe('checksum-mismatch');
    expect((error as Error).message).toContain(`got ${sha256}`);
    expect(await cache.lookup(BASE, 'model.safetensors')).toBeUndefined();
    // verifySha256: false takes the server's word.
    expect(
      await urlStore(BASE, { cache, fetch, verifySha256: false }).open('model.safetensors'),
    ).toBeDefined();
  });

  it('records a 404 once config.json is cached, never for config.json itself', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch, requests } = fakeFetch(new Map());
    const store = urlStore(BASE, { cache, fetch });
    expect(await store.readText('config.json')).toBeUndefined();
    expect(await store.readText('config.json')).toBeUndefined();
    expect(await store.readText('tokenizer.json')).toBeUndefined();
    expect(await store.readText('tokenizer.json')).toBeUndefined();
    expect(requests).toHaveLength(4);
    expect(await cache.list()).toEqual([]);
  });

  it('lets one of two concurrent opens download, the other reads the cache', async () => {
    const cache = new ModelCache(fakeBackend());
    const { fetch, requests } = server();
    const sources = await Promise.all([
      urlStore(BASE, { cache, fetch }).open('model.safetensors'),
      urlStore(BASE, { cache, fetch }).open('model.safetensors'),
    ]);
    expect(requests).toEqual([`GET ${BASE}model.safetensors`]);
    expect(sources.map((s) => s?.size)).toEqual([weights.byteLength, weights.byteLength]);
  });

  it('throws ModelCacheError (quota) before writing when the estimate leaves too little room', async () => {
    const backend = fakeBackend({ estimate: { usage: 9_900_000, quota: 10_000_000 } });
    const cache = new ModelCache(backend);
    const { fetch } = server();
    const error = await urlStore(BASE, { cache, fetch })
      .open('model.safetensors')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCacheError);
    const quota = error as ModelCacheError;
    expect(quota.reason).toBe('quota');
    expect(quota.neededBytes).toBe(weights.byteLength);
    expect(quota.availableBytes).toBe(100_000);
    expect(quota.message).toBe(
      `ModelCache.put: caching model.safetensors of ${BASE} needs 395 kB; 100 kB of browser storage is free ` +
        `(9.90 MB used of a 10.0 MB quota). Free space with clearModelCache() (the playground's Cache panel), ` +
        'or load without the cache.',
    );
    expect(backend.folders.get(cacheFolderName(BASE))?.has('d-model.safetensors')).toBe(false);
  });

  it('turns a QuotaExceededError during the write into ModelCacheError (quota), leaving nothing', async () => {
    const backend = fakeBackend({ quota: 200_000, estimate: null });
    const cache = new ModelCache(backend);
    const { fetch } = server();
    const error = await urlStore(BASE, { cache, fetch })
      .open('model.safetensors')
      .catch((e: unknown) => e);
    expect((error as ModelCacheError).reason).toBe('quota');
    expect((error as Error).message).toMatch(
      /^ModelCache\.put: caching model\.safetensors .* needs 395 kB; the browser refused the write for lack of storage space\. Free space with clearModelCache\(\)/,
    );
    expect((error as Error).cause).toBeInstanceOf(DOMException);
    expect(backend.folders.get(cacheFolderName(BASE))?.has('d-model.safetensors')).toBe(false);
  });
});

describe('ModelCache', () => {
  it('lists complete files and the bytes of unfinished downloads; clear removes one or all', async () => {
    const backend = fakeBackend();
    const cache = new ModelCache(backend);
    const other = 'https://models.test/other/';
    await cache.put(BASE, 'config.json', new Blob([config]).stream(), { size: config.byteLength });
    await cache.put(other, 'config.json', new Blob([config]).stream());
    backend.folders.get(cacheFolderName(other))!.set('d-model.safetensors', weights.slice(0, 5000)); // a tab closed
    expect(await cache.lookup(other, 'model.safetensors')).toBeUndefined(); // no record, no commit
    const listed = await cache.list();
    expect(listed.map((m) => [m.location, m.totalBytes, m.partialBytes])).toEqual([
      [other, config.byteLength, 5000],
      [BASE, config.byteLength, 0],
    ]);
    expect(await cache.clear(other)).toBe(1);
    expect((await cache.list()).map((m) => m.location)).toEqual([BASE]);
    expect(await cache.clear(other)).toBe(0);
    expect(await cache.clear()).toBe(1);
    expect(await cache.list()).toEqual([]);
    expect(backend.usage()).toBe(0);
  });

  it('drops an unreadable record as no commit', async () => {
    const backend = fakeBackend();
    const cache = new ModelCache(backend);
    await cache.put(BASE, 'config.json', new Blob([config]).stream());
    backend.folders.get(cacheFolderName(BASE))!.set('r-config.json.json', new TextEncoder().encode('{"loc'));
    expect(await cache.lookup(BASE, 'config.json')).toBeUndefined();
  });

  it('takes the size and sha256 from the headers the server sends', () => {
    const described = (headers: Record<string, string>) => describeResponse(new Response(null, { headers }));
    expect(described({ 'content-length': '12', etag: `"${sha256}"` })).toEqual({
      size: 12,
      sha256,
      etag: `"${sha256}"`,
    });
    expect(described({ 'content-length': '12', 'x-linked-size': '99', etag: 'W/"abc"' })).toEqual({
      size: 99,
      sha256: undefined,
      etag: 'W/"abc"',
    });
    expect(described({ 'content-length': '12', 'content-encoding': 'gzip' }).size).toBeUndefined();
    expect(described({ etag: `W/"${sha256}"` }).sha256).toBeUndefined();
  });
});

describe('openModelCache outside a browser', () => {
  it('rejects with ModelCacheError (unavailable), and so do the page-level helpers', async () => {
    for (const call of [openModelCache(), listCachedModels(), clearModelCache()]) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelCacheError);
      expect((error as ModelCacheError).reason).toBe('unavailable');
      expect((error as Error).message).toMatch(
        /^openModelCache: the Origin Private File System is unavailable/,
      );
    }
  });
});
