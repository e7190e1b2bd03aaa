// A vitest reporter that prints, after the run's summary, the banner of the suites this run
// skipped for the environment (environment.js records them in the skip log).
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSkipLog, SKIP_LOG_ENV, skipBanner, skipLogSize } from './environment.js';

export class EnvironmentSkipReporter {
  /** @param {{ log: string, owned: boolean }} options `owned`: the log is this run's, removed at the end. */
  constructor(options) {
    this.log = options.log;
    this.owned = options.owned;
    this.offset = 0;
  }

  /** @param {import('vitest/node').Vitest} vitest */
  onInit(vitest) {
    this.logger = vitest.logger;
    this.offset = skipLogSize(this.log);
  }

  onTestRunStart() {
    this.offset = skipLogSize(this.log); // watch mode: report each run's own skips
  }

  onTestRunEnd() {
    const entries = readSkipLog(this.log, this.offset);
    const banner = skipBanner(entries, { color: !!process.stdout.isTTY });
    if (banner) (this.logger ?? console).log(`\n${banner}\n`);
    if (this.owned) rmSync(this.log, { force: true });
  }
}

/**
 * The reporter for this vitest process, on the skip log `pnpm test` gave (`MAMBA_ENV_SKIPS_FILE`)
 * or on one of this run's own, named in the environment before the test workers start.
 */
export function environmentSkipReporter() {
  const given = process.env[SKIP_LOG_ENV];
  if (given) return new EnvironmentSkipReporter({ log: given, owned: false });
  const log = join(tmpdir(), `mamba-webgpu-env-skips-${process.pid}.jsonl`);
  process.env[SKIP_LOG_ENV] = log;
  return new EnvironmentSkipReporter({ log, owned: true });
}
