#!/usr/bin/env node
// Screenshots a bench HTML report in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; never downloads a browser): node apps/bench/scripts/screenshot-report.mjs REPORT.html OUT.png
// Prints the number of charts drawn; exits 1 when the page has none or logs an error.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, out] = process.argv.slice(2);
if (!report || !out) {
  console.error('usage: screenshot-report.mjs REPORT.html OUT.png [width]');
  process.exit(2);
}
const width = Number(process.argv[4] ?? 1200);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
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
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(resolve(report)).href);
  const charts = await page.locator('svg.chart').count();
  await page.screenshot({ path: out, fullPage: true });
  console.log(`${out}: ${charts} charts${errors.length ? `; page errors: ${errors.join('; ')}` : ''}`);
  process.exitCode = charts > 0 && errors.length === 0 ? 0 : 1;
} finally {
  await browser.close();
}
