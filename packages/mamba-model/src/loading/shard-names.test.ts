// Shard names from an index and cache folders as careless or hostile files give them: a NUL or
// other control character, a name too long for the file system, a cache path that is a file.
// Each is a typed error naming the file, from a local folder and through the hub, before any shard
// is requested; never a raw fs error.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { type FakeHub, startFakeHub } from '../../test/loading/hub-server.js';
import { parseSafetensorsIndex } from './checkpoint.js';
import { HubError, SafetensorsError } from './errors.js';
import { openLocalCheckpoint } from './node-folder-store.js';
import { resolveCheckpoint } from './node-hub.js';

let hub: FakeHub;
let dir: string;

beforeAll(async () => {
  hub = await startFakeHub([]);
  dir = await mkdtemp(join(tmpdir(), 'mamba-shard-names-'));
});

afterAll(async () => {
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

const indexNaming = (shard: string) =>
  new TextEncoder().encode(JSON.stringify({ weight_map: { 'backbone.embeddings.weight': shard } }));

const badNames: [string, string][] = [
  ['nul', 'model\u0000.safetensors'],
  ['newline', 'model\n.safetensors'],
  ['escape', 'model\u001b[2J.safetensors'],
  ['too-long', `${'x'.repeat(240)}.safetensors`],
  ['too-long-utf8', `${'é'.repeat(126)}.st`],
];

describe('shard names', () => {
  it.each(badNames)(
    '%s: parseSafetensorsIndex refuses it (bad-index, escaped in the message)',
    (_label, shard) => {
      const error = (() => {
        try {
          parseSafetensorsIndex(new TextDecoder().decode(indexNaming(shard)), 'index.json');
        } catch (e) {
          return e as SafetensorsError;
        }
        throw new Error('accepted');
      })();
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(error).toMatchObject({ reason: 'bad-index', tensor: 'backbone.embeddings.weight' });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the message must not carry them raw
      expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    },
  );

  it('a long name that fits (250 bytes) is accepted', () => {
    const shard = `${'x'.repeat(238)}.safetensors`;
    expect(
      parseSafetensorsIndex(new TextDecoder().decode(indexNaming(shard)), 'i').get(
        'backbone.embeddings.weight',
      ),
    ).toBe(shard);
  });

  it.each(badNames)(
    '%s: from a local folder and through the hub, before the shard is read',
    async (label, shard) => {
      const folder = join(dir, `local-${label}`);
      await mkdir(folder);
      await writeFile(join(folder, 'config.json'), fixtureBytes('mamba-tiny/config.json'));
      await writeFile(join(folder, 'model.safetensors.index.json'), indexNaming(shard));
      await expect(openLocalCheckpoint(folder)).rejects.toMatchObject({
        name: 'SafetensorsError',
        reason: 'bad-index',
      });

      hub.repos.push({
        id: `acme/${label}`,
        files: new Map([
          ['config.json', fixtureBytes('mamba-tiny/config.json')],
          ['model.safetensors.index.json', indexNaming(shard)],
          [shard, fixtureBytes('mamba-tiny/model.safetensors')],
        ]),
      });
      const options = {
        endpoint: hub.endpoint,
        cacheDir: join(dir, 'cache'),
        progress: false,
        maxAttempts: 1,
      } as const;
      await expect(resolveCheckpoint(`acme/${label}`, options)).rejects.toMatchObject({
        name: 'SafetensorsError',
        reason: 'bad-index',
      });
      expect(hub.requests.some((r) => r.path.includes('x'.repeat(50)) || r.path.includes('%00'))).toBe(false);
    },
  );

  it('a cache path that is a file, or holds a NUL, is a HubError naming cacheDir', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    hub.repos.push({
      id: 'acme/plain',
      files: new Map([['config.json', fixtureBytes('mamba-tiny/config.json')]]),
    });
    for (const cacheDir of [file, join(file, 'below'), `${dir}/nul\u0000dir`]) {
      const error = await resolveCheckpoint('acme/plain', {
        endpoint: hub.endpoint,
        cacheDir,
        progress: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ reason: 'io' });
      expect((error as Error).message).toMatch(/options\.cacheDir/);
    }
  });
});
