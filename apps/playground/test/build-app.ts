// Vitest global setup: builds the app into dist/ before the tests, so the e2e test never runs a
// stale or missing build (turbo builds the workspace packages, `^build`, but not this app).

import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn' });
}
