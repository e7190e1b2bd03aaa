// End-to-end test in real headless Chromium (Debian's /usr/bin/chromium via playwright-core; no
// browser is ever downloaded): serves the built app and the mamba-tiny fixture on 127.0.0.1,
// checks the WebGPU adapter, runs the scan benchmark, loads the model with progress, generates
// greedily from the fixture's prompt_ids and compares with Hugging Face's greedy_ids; errors beside
// their button, the waiting and stopped states, and a narrow (phone) layout.

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
    // SwiftShader is a CPU adapter: the automatic pick is v1-sequential, the fastest there.
    const cpu = (await page.textContent('#adapter'))!.includes('(CPU)');
    const auto = rows.filter((row) => row.startsWith('selectiveScan (auto'));
    expect(auto.length).toBeGreaterThan(0);
    for (const row of auto) {
      expect(row).toMatch(
        cpu ? /^selectiveScan \(auto: v1-sequential\)/ : /^selectiveScan \(auto: v2-chunked\)/,
      );
    }
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

  it('generates the greedy ids of Hugging Face transformers, saying it waits for the first token', async () => {
    await page.evaluate(() => {
      // Every state the stats line goes through (a GPU readback separates each from the next).
      const stats = document.getElementById('gen-stats')!;
      const seen: string[] = [];
      (window as unknown as { statsSeen: string[] }).statsSeen = seen;
      new MutationObserver(() => seen.push(`${stats.dataset.state}: ${stats.textContent}`)).observe(stats, {
        attributes: true,
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const ids = await generateGreedy(greedy.length - prompt.length);
    const seen = await page.evaluate(() => (window as unknown as { statsSeen: string[] }).statsSeen);
    expect(seen).toContain(`waiting: waiting for the first token… (prefill of ${prompt.length} tokens)`);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}playground.png`, fullPage: true });
    expect(ids).toEqual(greedy.slice(prompt.length));
    expect(await page.textContent('#gen-stats')).toMatch(/^24 tokens .* tokens\/s/);
    expect(pageProblems).toEqual([]);
  });

  it('shows a load failure beside Load, without internal prefixes (the full text in its tooltip)', async () => {
    await page.fill('#model-url', './models/no-such-model/');
    await page.click('#load-url');
    await page.waitForSelector('#load-status[data-state="error"]');
    const errors = await errorPanel();
    expect(errors).toHaveLength(1);
    const shown = await page.textContent('#load-error');
    expect(shown).toBe(errors[0]);
    expect(shown).toContain('no-such-model');
    expect(shown).not.toMatch(/^[A-Za-z$]+(Error)?: /); // no "SafetensorsError: openHttpSource: "
    const title = (await page.getAttribute('#load-error', 'title'))!;
    expect(title).toMatch(/^load model: \w+Error: \w+: /);
    expect(title).toContain(shown!.replace(/^\w/, (c) => c.toLowerCase()));
    expect(await page.isHidden('#errors')).toBe(true); // the panel is for uncaught errors
    await page.screenshot({ path: `${resultsDir}playground-error.png`, fullPage: true });
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
    const count = (await page.getAttribute('#output', 'data-ids'))!.split(',').length;
    expect(await page.textContent('#gen-stats')).toMatch(
      new RegExp(`^stopped after ${count} tokens · first token \\d+ ms · [\\d.]+ tokens/s$`),
    );
    expect(pageProblems).toEqual([]);
  });

  it('stacks the layout on a narrow screen: nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const wider = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    try {
      expect(await wider(), 'Generate page wider than the screen').toBeLessThanOrEqual(0);
      const url = (await page.locator('#model-url').boundingBox())!;
      const load = (await page.locator('#load-url').boundingBox())!;
      expect(url.width).toBeGreaterThan(300); // a row of its own
      expect(load.y).toBeGreaterThan(url.y); // the button under it
      expect(load.x + load.width).toBeLessThanOrEqual(360);
      await page.screenshot({ path: `${resultsDir}playground-narrow.png`, fullPage: true });
      await page.click('#nav-train');
      await page.waitForSelector('#train-start');
      expect(await wider(), 'Train page wider than the screen').toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${resultsDir}train-narrow.png`, fullPage: true });
    } finally {
      await page.click('#nav-generate');
      await page.setViewportSize({ width: 1000, height: 900 });
    }
  });
});
