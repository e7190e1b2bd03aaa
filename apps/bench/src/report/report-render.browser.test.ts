// Renders a report in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core;
// no browser download) and checks the charts are drawn, visible and fetch nothing.
// Chromium absent: skipped locally with a message, a failure under CI=true (CI installs it with
// `apt-get install -y chromium`). BENCH_REPORT_SCREENSHOT=FILE keeps the screenshot.
import { copyFileSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { syntheticResult } from '../testing/synthetic-result.js';
import { renderReport } from './html-report.js';
import { svgElements } from './well-formed.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    `report-render: ${CHROMIUM} not found; skipping the Chromium render check (apt-get install -y chromium)`,
  );
}

describe('HTML report in headless Chromium', () => {
  it('draws every chart visibly, parses each SVG as XML, and makes no request', async (ctx) => {
    if (!HAVE_CHROMIUM) {
      if (IN_CI) {
        throw new Error(
          `report-render: ${CHROMIUM} not found under CI=true; install it with apt-get install -y chromium`,
        );
      }
      ctx.skip();
    }
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'mamba-bench-report-'));
    const html = renderReport(syntheticResult());
    const page_ = join(dir, 'report.html');
    writeFileSync(page_, html);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(page_).href);

      const charts = page.locator('svg.chart');
      expect(await charts.count()).toBe(svgElements(html).length);
      for (let i = 0; i < (await charts.count()); i++) {
        const chart = charts.nth(i);
        await chart.scrollIntoViewIfNeeded();
        expect(await chart.isVisible()).toBe(true);
        const box = await chart.boundingBox();
        expect(box?.width).toBeGreaterThan(300);
        expect(box?.height).toBeGreaterThan(150);
        const bars = chart.locator('rect.bar');
        expect(await bars.count()).toBeGreaterThan(0);
        const barBox = await bars.first().boundingBox();
        expect(barBox?.height).toBeGreaterThan(0);
      }
      // The browser's XML parser on each chart as written: no <parsererror>.
      const parseErrors = await page.evaluate(
        (svgs) =>
          svgs.map((svg) => {
            const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
            return doc.getElementsByTagName('parsererror').length > 0 ? svg.slice(0, 80) : '';
          }),
        svgElements(html),
      );
      expect(parseErrors.filter(Boolean)).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.BENCH_REPORT_SCREENSHOT) copyFileSync(shot, process.env.BENCH_REPORT_SCREENSHOT);
    } finally {
      await browser.close();
    }
  });
});
