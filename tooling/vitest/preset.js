// Shared vitest preset. GPU tests (`*.gpu.test.ts`) run in forked child processes so that a
// Dawn abort fails one file instead of the run; one file at a time (lavapipe has 2 cores).
// MAMBA_TEST_GC=1 runs them under `node --expose-gc` with gc() after each test (see setup-gc.js)
// to catch objects the GPU still needs being collected. Suites skipped for the environment
// (environment.js) are listed in a banner after the summary (skip-reporter.js).
import { fileURLToPath } from 'node:url';
import { environmentSkipReporter } from './skip-reporter.js';
import { wgslPlugin } from './wgsl-plugin.js';

const gcSetup = fileURLToPath(new URL('./setup-gc.js', import.meta.url));

/** @param {{ testTimeout?: number, include?: string[] }} [options] */
export function vitestPreset(options = {}) {
  const withGc = process.env.MAMBA_TEST_GC === '1';
  return {
    plugins: [wgslPlugin()],
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      fileParallelism: false,
      testTimeout: options.testTimeout ?? 120_000,
      hookTimeout: 120_000,
      teardownTimeout: 30_000,
      execArgv: withGc ? ['--expose-gc'] : [],
      setupFiles: withGc ? [gcSetup] : [],
      reporters: ['default', environmentSkipReporter()],
    },
  };
}
