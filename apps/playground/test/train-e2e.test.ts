// End-to-end test of the Train page in headless Chromium (SwiftShader WebGPU): trains a tiny
// Selective Copying model in the page, checks that the loss falls over the first steps, that the
// loss and accuracy charts and the Δ view render (screenshot in test-results/), that the page
// renders again from the session after switching pages mid-run, and that Stop and Continue work.
// Sizes are tiny: SwiftShader runs WebGPU on the CPU.

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appMount,
  closeAll,
  errorPanel,
  launchChromium,
  requireChromium,
  resultsDir,
  runsInChromium,
  startServer,
} from './browser.js';

/**
 * The run: Selective Copying at L = 24 (8 data tokens among 8 noise, then 8 markers; 16 ids),
 * one layer of d_model 32, 4 rows a step; Stop after 16 steps. SwiftShader's step time grows
 * with tokens x layers (2-4 s a step here on 2 shared cores, twice that with two layers), so the
 * sizes are tiny. Selective Copying rather than Induction Heads: its 8 answers per row give the
 * loss 32 positions a step (Induction Heads: 1 a row), so its fall over 16 steps stands clear of
 * the noise, while Induction Heads first sits at ln(vocab) for a few dozen steps.
 */
const SETTINGS = {
  task: 'selective-copying',
  block: 'selective',
  seqLen: 24,
  dataTokens: 8,
  vocabSize: 16,
  dModel: 32,
  dState: 16,
  nLayer: 1,
  batch: 4,
  lr: 0.01,
  steps: 40,
  seed: 0,
  evalEvery: 8,
  evalSequences: 8,
} as const;
/** Stop once this many steps are done (the loss has clearly fallen by then). */
const STOP_AT = 16;

interface SessionView {
  status: string;
  losses: number[];
  /** Main-thread recording time of each step (ms). */
  recordMs: number[];
  evals: number;
}

const SUITE = 'Train page in headless Chromium';

describe.skipIf(!runsInChromium(SUITE))(SUITE, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];
  const started = performance.now();

  beforeAll(async () => {
    requireChromium();
    const served = await startServer([appMount]);
    server = served.server;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console.error: ${message.text()}`);
    });
    await page.goto(`${served.baseUrl}#train`);
    await page.waitForSelector('#adapter:not([data-state="pending"])');
  });

  afterAll(async () => {
    await closeAll(browser, server);
    console.log(`e2e train: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  });

  /** The Train page's session as seen through the page's debugging handle. */
  function session(): Promise<SessionView> {
    return page.evaluate(() => {
      type Point = { loss: number; recordMs: number };
      const s = (
        window as unknown as {
          mambaPlayground: { train: { status: string; curve: Point[]; evals: unknown[] } };
        }
      ).mambaPlayground.train;
      return {
        status: s.status,
        losses: s.curve.map((p) => p.loss),
        recordMs: s.curve.map((p) => p.recordMs),
        evals: s.evals.length,
      };
    });
  }

  function waitForSteps(steps: number, timeout = 150_000): Promise<unknown> {
    return page.waitForFunction(
      (n) => {
        const s = (window as unknown as { mambaPlayground: { train: { curve: unknown[]; status: string } } })
          .mambaPlayground.train;
        return s.curve.length >= n || s.status === 'error';
      },
      steps,
      { timeout, polling: 200 },
    );
  }

  it('shows the Train page with the default preset', async () => {
    expect(await page.getAttribute('#adapter', 'data-state')).toBe('ready');
    expect(await page.isHidden('#page-generate')).toBe(true);
    expect(await page.inputValue('#train-task')).toBe('selective-copying');
    expect(await page.isEnabled('#train-start')).toBe(true);
    expect(await page.isDisabled('#train-stop')).toBe(true);
  });

  it('trains: the loss falls over the first steps', async () => {
    for (const [name, value] of Object.entries(SETTINGS)) {
      if (name === 'task' || name === 'block') await page.selectOption(`#train-${name}`, value as string);
      else await page.fill(`#train-${name}`, String(value));
    }
    const t0 = performance.now();
    await page.click('#train-start');
    await page.waitForSelector('#train-status[data-state="running"]');
    await waitForSteps(6);
    expect((await session()).status).toBe('running');

    // Leave the page mid-run and come back: the view is rebuilt from the session.
    await page.click('#nav-generate');
    expect(await page.isHidden('#page-train')).toBe(true);
    expect(await page.locator('#page-train *').count()).toBe(0);
    await page.click('#nav-train');
    expect(await page.inputValue('#train-seqLen')).toBe(String(SETTINGS.seqLen));
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBeGreaterThanOrEqual(6);

    await waitForSteps(STOP_AT);
    await page.click('#train-stop');
    await page.waitForSelector('#train-status[data-state="stopped"], #train-status[data-state="error"]', {
      timeout: 60_000,
    });
    expect(await errorPanel(page)).toEqual([]);
    const { losses, recordMs, status } = await session();
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `e2e train: ${losses.length} steps in ${seconds.toFixed(1)} s; losses ${losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    console.log(
      `e2e train: main-thread recording per step (ms): ${recordMs.map((m) => m.toFixed(0)).join(' ')}`,
    );
    console.log(`e2e train: ${await page.textContent('#train-stats')}`);
    expect(status).toBe('stopped');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const half = Math.floor(STOP_AT / 2);
    const first = mean(losses.slice(0, half));
    const second = mean(losses.slice(half, STOP_AT));
    expect(
      second,
      `mean loss of steps ${half + 1}-${STOP_AT} (${second.toFixed(3)}) vs steps 1-${half} (${first.toFixed(3)})`,
    ).toBeLessThan(first - 0.04);
  });

  it('draws the loss and accuracy charts and the Δ view', async () => {
    const { losses, evals } = await session();
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(losses.length);
    const lossPath = (await page.getAttribute('#loss-chart path.raw', 'd')) ?? '';
    expect(lossPath.match(/[ML]/g)?.length).toBe(losses.length);
    expect(await page.locator('#loss-chart path.trend').count()).toBe(1);
    expect(evals).toBeGreaterThanOrEqual(2); // every 8 steps (and where it stopped)
    expect(Number(await page.getAttribute('#accuracy-chart', 'data-points'))).toBe(evals);
    expect(
      ((await page.getAttribute('#accuracy-chart path.accuracy', 'd')) ?? '').match(/[ML]/g)?.length,
    ).toBe(evals);

    const deltas = await page
      .locator('#delta-view .token')
      .evaluateAll((spans) => spans.map((s) => Number((s as HTMLElement).dataset.delta)));
    expect(deltas).toHaveLength(SETTINGS.seqLen);
    for (const d of deltas) expect(d).toBeGreaterThan(0);
    expect(await page.locator('#delta-view .token.role-data').count()).toBe(SETTINGS.dataTokens);
    expect(await page.locator('#delta-view .token.role-marker').count()).toBe(SETTINGS.dataTokens);
    expect(await page.locator('#delta-view .answer').count()).toBe(SETTINGS.dataTokens);
    console.log(`e2e train: ${await page.textContent('#delta-view .delta-means')}`);

    expect(await page.locator('#delta-layer option').count()).toBe(SETTINGS.nLayer);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}train.png`, fullPage: true });
    expect(pageProblems).toEqual([]);
  });

  it('stays stopped, then continues with a new lr and stops again', async () => {
    const before = (await session()).losses.length;
    await page.waitForTimeout(1500);
    expect((await session()).losses.length, 'no step after Stop').toBe(before);
    expect(await page.isEnabled('#train-continue')).toBe(true);
    await page.fill('#train-lr', '0.002');
    await page.click('#train-continue');
    await waitForSteps(before + 2);
    await page.click('#train-stop');
    await page.waitForSelector('#train-status[data-state="stopped"], #train-status[data-state="error"]', {
      timeout: 60_000,
    });
    expect(await errorPanel(page)).toEqual([]);
    const after = await session();
    expect(after.status).toBe('stopped');
    expect(after.losses.length).toBeGreaterThanOrEqual(before + 2);
    expect(after.losses.every(Number.isFinite)).toBe(true);
    console.log(`e2e train: after Continue: ${await page.textContent('#train-stats')}`);
    expect(pageProblems).toEqual([]);
  });
});
