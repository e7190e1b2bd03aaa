// urlStore against a static server that answers unknown paths with its HTML index page (as
// single-page-app servers do, status 200): a missing optional file (tokenizer.json,
// tokenizer_config.json, model.safetensors of a sharded checkpoint) is taken as missing with a
// warning naming it, so loading goes on; a text file that is neither HTML nor JSON is a typed error
// naming the file. The server is a fake fetch with Range support.

import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { openCheckpoint } from './checkpoint.js';
import { ConfigError, SafetensorsError } from './errors.js';
import { urlStore } from './store.js';

const BASE = 'https://models.example/tiny/';
const INDEX_PAGE = '<!doctype html><html><body><div id="app"></div></body></html>';

/** A fetch serving `files`; anything else is the index page (with or without a content-type). */
function spaServer(
  files: Record<string, Uint8Array<ArrayBuffer> | string>,
  htmlType: string | null = 'text/html; charset=utf-8',
) {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const name = String(input).slice(BASE.length);
    const content = files[name];
    const body = content === undefined ? new TextEncoder().encode(INDEX_PAGE) : content;
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const headers = new Headers();
    if (content === undefined && htmlType) headers.set('content-type', htmlType);
    if (content !== undefined) headers.set('content-type', 'application/octet-stream');
    headers.set('content-length', String(bytes.byteLength));
    if (init?.method === 'HEAD') return new Response(null, { status: 200, headers });
    const range = new Headers(init?.headers).get('range');
    if (range) {
      const [from, to] = range.replace('bytes=', '').split('-').map(Number) as [number, number];
      return new Response(bytes.slice(from, to + 1), { status: 206, headers });
    }
    return new Response(bytes, { status: 200, headers });
  }) as typeof fetch;
}

const config = fixtureBytes('mamba-tiny/config.json');
const weights = fixtureBytes('mamba-tiny/model.safetensors');

async function open(files: Record<string, Uint8Array<ArrayBuffer> | string>, htmlType?: string | null) {
  const warnings: string[] = [];
  const store = urlStore(BASE, { fetch: spaServer(files, htmlType), onWarning: (m) => warnings.push(m) });
  const checkpoint = await openCheckpoint(store, { onWarning: () => {} });
  return { checkpoint, warnings };
}

describe('urlStore on a server that answers missing files with an HTML page', () => {
  it.each([
    ['text/html', 'text/html; charset=utf-8'],
    ['no content-type', null],
  ])(
    'optional tokenizer files (%s) are taken as missing, with a warning naming them',
    async (_what, type) => {
      const { checkpoint, warnings } = await open(
        { 'config.json': config, 'model.safetensors': weights },
        type,
      );
      expect(await checkpoint.readTokenizerJson()).toBeUndefined();
      expect(await checkpoint.readTokenizerConfigJson()).toBeUndefined();
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(
        /^urlStore: GET https:\/\/models\.example\/tiny\/tokenizer\.json answered an HTML page .*not tokenizer\.json: taken as missing/,
      );
      expect(warnings[1]).toMatch(/tokenizer_config\.json/);
      await checkpoint.close();
    },
  );

  it('a sharded checkpoint loads: the HTML answer for model.safetensors means "no single file"', async () => {
    const shard = 'model-00001-of-00001.safetensors';
    const { checkpoint: single } = await open({ 'config.json': config, 'model.safetensors': weights });
    const names = single.tensors.map((t) => t.name);
    await single.close();
    const index = JSON.stringify({ weight_map: Object.fromEntries(names.map((n) => [n, shard])) });
    const files = { 'config.json': config, 'model.safetensors.index.json': index, [shard]: weights };
    const { checkpoint } = await open(files);
    expect(checkpoint.weightFiles).toEqual([`${BASE}${shard}`]);
    await checkpoint.close();
  });

  it('a missing config.json is the missing-file error; a non-JSON text file is a typed error naming it', async () => {
    await expect(open({ 'model.safetensors': weights })).rejects.toThrow(ConfigError);
    const broken = open({ 'config.json': 'Not Found', 'model.safetensors': weights });
    await expect(broken).rejects.toThrow(SafetensorsError);
    await expect(broken).rejects.toThrow(
      /^urlStore\.readText: GET https:\/\/models\.example\/tiny\/config\.json answered "Not Found"\.\.\., which is not the JSON file config\.json/,
    );
  });
});
