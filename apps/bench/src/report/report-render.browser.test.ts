// Renders reports in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core;
// no browser download) — an H200 run with the anchors and a CPU adapter's — and checks the charts
// are drawn, visible and fetch nothing, every bar (GB/s below 1 included) is taller than a pixel,
// and no title, legend, tick or category label leaves its chart.
// Chromium absent: skipped locally and listed in the end-of-run banner (tooling/vitest/environment.js),
// a failure under CI=true (tooling/setup.sh installs it). BENCH_REPORT_SCREENSHOT=FILE keeps the screenshot.
import { copyFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumNeed, chromiumPath, runsHere } from '@mamba-webgpu/tooling/vitest/environment';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../result.js';
import { cpuSyntheticResult, syntheticResult } from '../testing/synthetic-result.js';
import { renderReport } from './html-report.js';
import { svgElements } from './well-formed.js';

const SUITE = 'HTML report in headless Chromium';
const CHROMIUM = chromiumPath();
const need = chromiumNeed();

const REPORTS: [string, () => BenchResult][] = [
  ['an H200 run with the anchors', syntheticResult],
  ['a CPU adapter run', cpuSyntheticResult],
];

describe.skipIf(!runsHere({ suite: SUITE, ...need, requiredInCi: true }))(SUITE, () => {
  it.for(REPORTS)(
    'draws every chart of %s visibly and unclipped, as XML, with no request',
    async ([label, make]) => {
      // Only under CI without Chromium: fail, never pass without a browser.
      if (!need.available)
        throw new Error(`report-render: ${need.missing} must exist under CI=true (${need.remedy})`);
      const { chromium } = await import('playwright-core');
      const dir = mkdtempSync(join(tmpdir(), 'mamba-bench-report-'));
      const html = renderReport(make());
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
          const barHeights = await bars.evaluateAll((rects) =>
            rects.map((r) => r.getBoundingClientRect().height),
          );
          expect(Math.min(...barHeights), `${label}: chart ${i} has a bar drawn as 0`).toBeGreaterThan(1);
          // Every text inside the chart's own box: nothing clipped by the SVG's edges.
          const outside = await chart.evaluate((svg) => {
            const frame = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')]
              .filter((t) => {
                const b = t.getBoundingClientRect();
                return (
                  b.left < frame.left - 0.5 ||
                  b.right > frame.right + 0.5 ||
                  b.top < frame.top - 0.5 ||
                  b.bottom > frame.bottom + 0.5
                );
              })
              .map((t) => t.textContent);
          });
          expect(outside, `${label}: chart ${i} clips text`).toEqual([]);
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
        const keep = process.env.BENCH_REPORT_SCREENSHOT;
        if (keep) copyFileSync(shot, make === syntheticResult ? keep : keep.replace(/(\.png)?$/, '-cpu.png'));
      } finally {
        await browser.close();
      }
    },
  );
});
