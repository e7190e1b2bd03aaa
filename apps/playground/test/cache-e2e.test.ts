// End-to-end test of the browser's model cache in headless Chromium (same server, browser and
// skip rule as e2e.test.ts): the server counts the requests for the model folder; the first load
// downloads, the second (and one after a page reload) makes no request at all and still generates
// Hugging Face's greedy ids; Clear in the Cache panel empties it and the next load downloads again.
// A browser without OPFS here fails the test: it must never pass by loading uncached.

import { statSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appMount,
  closeAll,
  errorPanel as panel,
  launchChromium,
  requireChromium,
  resultsDir,
  runsInChromium,
  startServer,
} from './browser.js';
import { readI32Rows } from './safetensors.js';

const fixture = fileURLToPath(new URL('./fixtures/mamba-tiny/', import.meta.url));
const MODEL_PATH = '/models/mamba-tiny/';
const cachedBytes = statSync(`${fixture}config.json`).size + statSync(`${fixture}model.safetensors`).size;

const SUITE = 'model cache in headless Chromium';

describe.skipIf(!runsInChromium(SUITE))(SUITE, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  /** `GET /models/mamba-tiny/model.safetensors`, ... since the last `requests.length = 0`. */
  const requests: string[] = [];
  const pageProblems: string[] = [];

  beforeAll(async () => {
    requireChromium();
    ({ server, baseUrl } = await startServer([appMount, { prefix: MODEL_PATH, root: fixture }], (req) => {
      if (req.url?.startsWith(MODEL_PATH)) requests.push(`${req.method} ${req.url}`);
    }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    await page.goto(baseUrl);
  });

  afterAll(() => closeAll(browser, server));

  const errorPanel = () => panel(page);

  /** Presses Load (cache ticked); resolves to the load status text. */
  async function load(): Promise<string> {
    await page.waitForSelector('#load-url:not([disabled])');
    await page.click('#load-url');
    await page.waitForSelector('#load-status[data-state="ready"], #load-status[data-state="error"]', {
      timeout: 120_000,
    });
    const status = (await page.textContent('#load-status')) ?? '';
    expect(await errorPanel(), status).toEqual([]);
    expect(await page.getAttribute('#load-status', 'data-state'), status).toBe('ready');
    return status;
  }

  async function cacheRows(): Promise<{ location: string; bytes: number }[]> {
    await page.waitForSelector('#cache-status:not([data-state="pending"])');
    return await page.$$eval('#cache-table tbody tr', (rows) =>
      rows.map((row) => ({
        location: (row as HTMLElement).dataset.location ?? '',
        bytes: Number((row as HTMLElement).dataset.bytes),
      })),
    );
  }

  const prompt = readI32Rows(`${fixture}expected.safetensors`, 'prompt_ids')[0]!;
  const greedy = readI32Rows(`${fixture}expected.safetensors`, 'greedy_ids')[0]!;

  async function generateGreedy(maxTokens: number): Promise<number[]> {
    await page.check('input[name="prompt-mode"][value="ids"]');
    await page.fill('#prompt', prompt.join(', '));
    await page.fill('#temperature', '0');
    await page.fill('#max-tokens', String(maxTokens));
    await page.click('#generate');
    await page.waitForSelector('#output[data-state="done"], #output[data-state="error"]', {
      timeout: 150_000,
    });
    expect(await errorPanel()).toEqual([]);
    return (await page.getAttribute('#output', 'data-ids'))!.split(',').map(Number);
  }

  it('opens the OPFS cache (no fallback to uncached loads)', async () => {
    await page.waitForSelector('#cache-status:not([data-state="pending"])');
    const status = await page.textContent('#cache-status');
    console.log(`cache e2e: ${status}`);
    expect(await page.getAttribute('#cache-status', 'data-state'), status ?? '').toBe('ready');
    expect(await cacheRows()).toEqual([]);
  });

  it('downloads the model into the cache on the first load', async () => {
    requests.length = 0;
    const status = await load();
    expect(status).toContain('downloaded into the cache');
    console.log(`cache e2e: first load: ${requests.join(', ')}`);
    expect(requests).toContain(`GET ${MODEL_PATH}config.json`);
    expect(requests).toContain(`GET ${MODEL_PATH}model.safetensors`);
    expect(requests.filter((r) => r.endsWith('model.safetensors'))).toHaveLength(1); // one whole GET
    expect(await cacheRows()).toEqual([
      { location: `${baseUrl.slice(0, -1)}${MODEL_PATH}`, bytes: cachedBytes },
    ]);
  });

  it('loads again with no request, and the cached weights generate the greedy ids', async () => {
    requests.length = 0;
    expect(await load()).toContain('from the cache');
    expect(requests).toEqual([]);
    const ids = await generateGreedy(8);
    expect(ids).toEqual(greedy.slice(prompt.length, prompt.length + 8));
  });

  it('still loads with no request after the page reloads', async () => {
    await page.reload();
    requests.length = 0;
    expect(await load()).toContain('from the cache');
    expect(requests).toEqual([]);
    await page.screenshot({ path: `${resultsDir}playground-cache.png`, fullPage: true });
  });

  it('clears the model from the page; the next load downloads again', async () => {
    await page.click('#cache-table button.cache-clear');
    await page.waitForFunction(() => document.getElementById('cache-table')?.hidden === true);
    expect(await page.textContent('#cache-status')).toMatch(/^The cache is empty/);
    expect(await page.isHidden('#cache-error')).toBe(true);
    requests.length = 0;
    expect(await load()).toContain('downloaded into the cache');
    expect(requests.filter((r) => r.endsWith('model.safetensors'))).toHaveLength(1);
    expect(await cacheRows()).toHaveLength(1);
    await page.click('#cache-clear-all');
    await page.waitForFunction(() => document.getElementById('cache-table')?.hidden === true);
    expect(pageProblems).toEqual([]);
  });

  it('falls back to uncached loads, with a note, in a page without OPFS', async () => {
    const bare = await browser.newPage();
    try {
      await bare.addInitScript(() => {
        // As in a browser without OPFS (or one that hides it outside secure contexts).
        delete (StorageManager.prototype as { getDirectory?: unknown }).getDirectory;
      });
      await bare.goto(baseUrl);
      await bare.waitForSelector('#cache-status[data-state="unavailable"]');
      expect(await bare.textContent('#cache-status')).toMatch(
        /^No model cache in this browser, models load uncached: The Origin Private File System is unavailable/,
      );
      expect(await bare.getAttribute('#cache-status', 'title')).toMatch(/^ModelCacheError: openModelCache: /);
      expect(await bare.isDisabled('#cache-clear-all')).toBe(true);
      requests.length = 0;
      await bare.click('#load-url');
      await bare.waitForSelector('#load-status[data-state="ready"], #load-status[data-state="error"]');
      expect(await bare.textContent('#load-status')).toContain(
        '(not cached: this browser has no model cache)',
      );
      expect(await panel(bare)).toEqual([]);
      expect(requests.some((r) => r.endsWith('model.safetensors'))).toBe(true); // Range reads
    } finally {
      await bare.close();
    }
  });
});
