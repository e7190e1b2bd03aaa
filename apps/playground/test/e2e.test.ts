// End-to-end test in real headless Chromium (Debian's /usr/bin/chromium via playwright-core; no
// browser is ever downloaded): serves the built app and the mamba-tiny fixture on 127.0.0.1,
// checks the WebGPU adapter, runs the scan benchmark, loads the model with progress, generates
// greedily from the fixture's prompt_ids and compares with Hugging Face's greedy_ids.

import { mkdirSync } from 'node:fs';
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

const SUITE = 'playground in headless Chromium';

describe.skipIf(!runsInChromium(SUITE))(SUITE, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    requireChromium();
    ({ server, baseUrl } = await startServer([appMount, { prefix: '/models/mamba-tiny/', root: fixture }]));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // 404s are checked by URL below: the loader probes optional files.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageProblems.push(`console.error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const optional = /\/(tokenizer\.json|tokenizer_config\.json|model\.safetensors\.index\.json)$/.test(
        response.url(),
      );
      if (response.status() >= 400 && !optional) {
        pageProblems.push(`HTTP ${response.status()}: ${response.url()}`);
      }
    });
    await page.goto(baseUrl);
  });

  afterAll(() => closeAll(browser, server));

  const errorPanel = () => panel(page);

  it('finds a WebGPU adapter', async () => {
    await page.waitForSelector('#adapter:not([data-state="pending"])');
    const adapter = page.locator('#adapter');
    const text = await adapter.textContent();
    console.log(`e2e: ${text}`);
    expect(await adapter.getAttribute('data-state'), `${text}\n${(await errorPanel()).join('\n')}`).toBe(
      'ready',
    );
  });

  it('runs the scan benchmark and fills the table', async () => {
    await page.click('#run-bench');
    await page.waitForSelector('#bench-status[data-state="done"], #bench-status[data-state="error"]', {
      timeout: 120_000,
    });
    expect(await errorPanel()).toEqual([]);
    const rows = await page.locator('#bench-table tbody tr').allTextContents();
    console.log(`e2e: scan bench rows:\n  ${rows.join('\n  ')}`);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('loads mamba-tiny from the served folder with progress', async () => {
    expect(await page.inputValue('#model-url')).toBe('./models/mamba-tiny/');
    await page.click('#load-url');
    await page.waitForSelector('#load-status[data-state="ready"], #load-status[data-state="error"]');
    expect(await errorPanel()).toEqual([]);
    expect(await page.getAttribute('#load-status', 'data-state')).toBe('ready');
    expect(await page.textContent('#load-status')).toContain('2 layers, dModel 64, vocab 512');
    const progress = await page.$eval('#load-progress', (el) => [
      (el as HTMLProgressElement).value,
      (el as HTMLProgressElement).max,
    ]);
    expect(progress[1]).toBeGreaterThan(300_000);
    expect(progress[0]).toBe(progress[1]);
  });

  const expectedPath = `${fixture}expected.safetensors`;
  const prompt = readI32Rows(expectedPath, 'prompt_ids')[0]!;
  const greedy = readI32Rows(expectedPath, 'greedy_ids')[0]!;

  /** Generates greedily from the fixture prompt in ids mode; resolves to the page's new ids. */
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

  it('generates the greedy ids of Hugging Face transformers', async () => {
    const ids = await generateGreedy(greedy.length - prompt.length);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}playground.png`, fullPage: true });
    expect(ids).toEqual(greedy.slice(prompt.length));
    expect(await page.textContent('#gen-stats')).toMatch(/^24 tokens .* tokens\/s/);
    expect(pageProblems).toEqual([]);
  });

  it('shows a load failure in the error panel', async () => {
    await page.fill('#model-url', './models/no-such-model/');
    await page.click('#load-url');
    await page.waitForSelector('#load-status[data-state="error"]');
    const errors = await errorPanel();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('no-such-model');
    await page.screenshot({ path: `${resultsDir}playground-error.png`, fullPage: true });
    await page.click('#clear-errors');
    expect(await page.isHidden('#errors')).toBe(true);
    expect(await page.isDisabled('#generate')).toBe(true);
    pageProblems.length = 0; // the 404 of config.json was the point
  });

  it('loads the model from picked files and generates the same ids', async () => {
    await page.setInputFiles('#model-files', [`${fixture}config.json`, `${fixture}model.safetensors`]);
    await page.waitForSelector('#load-status[data-state="ready"], #load-status[data-state="error"]');
    expect(await errorPanel()).toEqual([]);
    expect(await page.textContent('#load-status')).toContain('picked');
    expect(await generateGreedy(greedy.length - prompt.length)).toEqual(greedy.slice(prompt.length));
  });

  it('stops a long generation with the Stop button', async () => {
    await page.uncheck('#stop-at-eos');
    await page.fill('#max-tokens', '100000');
    await page.click('#generate');
    await page.waitForFunction(
      () => (document.getElementById('output')?.dataset.ids ?? '').split(',').length >= 3,
    );
    await page.click('#stop');
    await page.waitForSelector('#output[data-state="stopped"]');
    expect(await errorPanel()).toEqual([]);
    expect(await page.isEnabled('#generate')).toBe(true);
    expect(pageProblems).toEqual([]);
  });
});
