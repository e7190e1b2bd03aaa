// What the end-to-end tests share: Debian's Chromium (/usr/bin/chromium via playwright-core; no
// browser is ever downloaded) with the flags that give it WebGPU on SwiftShader, a static server
// on 127.0.0.1 for the built app and the fixtures, and the skip rule: without Chromium a suite is
// skipped locally (listed in the end-of-run banner, tooling/vitest/environment.js) and fails under CI.

import { chromiumNeed, chromiumPath, runsHere } from '@mamba-webgpu/tooling/vitest/environment';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Mount, serveMounts } from '../server/static-files.js';

export const CHROMIUM = chromiumPath();
/**
 * Headless Chromium on a machine without a GPU: `--enable-unsafe-webgpu` exposes navigator.gpu
 * (WebGPU is not on by default on Linux) and Dawn falls back to SwiftShader's Vulkan; the rest
 * keeps the browser quiet and offline.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless=new',
];

export const appRoot = fileURLToPath(new URL('..', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));

/**
 * Whether the browser suite `suite` runs here: with Chromium, and always under CI (where a missing
 * Chromium fails it in `requireChromium`); a skip is recorded for the end-of-run banner.
 */
export function runsInChromium(suite: string): boolean {
  return runsHere({ suite, ...chromiumNeed(), requiredInCi: true });
}

/** Throws under CI when Chromium is missing: a browser test must never pass without a browser. */
export function requireChromium(): void {
  const need = chromiumNeed();
  if (!need.available) throw new Error(`e2e: ${need.missing} must exist under CI (${need.remedy})`);
}

/**
 * Serves `mounts` (the built app at `/` first) on a random port; resolves to it and its URL.
 * `onRequest` sees every request first (the cache test counts them).
 */
export async function startServer(
  mounts: readonly Mount[],
  onRequest?: (req: IncomingMessage) => void,
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    onRequest?.(req);
    serveMounts(req, res, [...mounts]).then(
      (served) => {
        if (!served) res.writeHead(404).end();
      },
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** The built app's mount. */
export const appMount: Mount = { prefix: '/', root: `${appRoot}dist` };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Every error the page shows: beside the actions (`.action-error`) and in the panel at the top. */
export async function errorPanel(page: Page): Promise<string[]> {
  return await page.locator('#error-list li, .action-error:not([hidden])').allTextContents();
}

export async function closeAll(browser: Browser | undefined, server: Server | undefined): Promise<void> {
  await browser?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
}
