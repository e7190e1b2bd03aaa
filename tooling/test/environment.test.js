// The environment-skip helper: what runsHere and skipHere record, the skip log, the banner, and a
// vitest run of a fixture that skips (its output ends with the banner, its run still passes).
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readSkipLog, runsHere, SKIP_LOG_ENV, skipBanner, skipLogSize } from '../vitest/environment.js';

const need = { suite: 'suite a', missing: 'a thing', remedy: 'get it' };

describe('runsHere', () => {
  let dir;
  let log;
  const saved = { log: process.env[SKIP_LOG_ENV], ci: process.env.CI };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-test-'));
    log = join(dir, 'skips.jsonl');
    process.env[SKIP_LOG_ENV] = log;
    delete process.env.CI;
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    process.env[SKIP_LOG_ENV] = saved.log;
    if (saved.ci === undefined) delete process.env.CI;
    else process.env.CI = saved.ci;
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs what is available and records nothing', () => {
    expect(runsHere({ ...need, available: true })).toBe(true);
    expect(readSkipLog(log)).toEqual([]);
  });

  it('records a skip with the package, warns at once, and lists it once per suite', () => {
    expect(runsHere({ ...need, available: false })).toBe(false);
    expect(runsHere({ ...need, available: false })).toBe(false);
    expect(console.warn).toHaveBeenCalledWith(
      'SKIPPED (environment): suite a: needs a thing; to run it: get it',
    );
    expect(readSkipLog(log)).toEqual([{ package: expect.any(String), ...need }]);
  });

  it('runs a suite required under CI there (it fails on its own check), skips it elsewhere', () => {
    expect(runsHere({ ...need, available: false, requiredInCi: true })).toBe(false);
    process.env.CI = 'true';
    expect(runsHere({ ...need, available: false, requiredInCi: true })).toBe(true);
    expect(runsHere({ ...need, suite: 'b', available: false })).toBe(false);
    process.env.CI = 'false';
    expect(runsHere({ ...need, suite: 'c', available: false, requiredInCi: true })).toBe(false);
    expect(readSkipLog(log).map((e) => e.suite)).toEqual(['suite a', 'b', 'c']);
  });

  it('reads the log from an offset and ignores a cut line', () => {
    runsHere({ ...need, available: false });
    const offset = skipLogSize(log);
    runsHere({ ...need, suite: 'later', available: false });
    appendFileSync(log, '{"package": "x", "sui');
    expect(readSkipLog(log, offset).map((e) => e.suite)).toEqual(['later']);
    expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(3);
  });
});

describe('skipBanner', () => {
  it('is empty when nothing was skipped', () => {
    expect(skipBanner([])).toBe('');
  });

  it('lists every skipped suite under what it lacks, with the remedy once', () => {
    const chromium = { missing: 'Chromium at /usr/bin/chromium', remedy: 'bash tooling/setup.sh' };
    const banner = skipBanner(
      [
        { package: '@x/playground', suite: 'e2e', ...chromium },
        { package: '@x/bench', suite: 'report', ...chromium },
        { package: '@x/tokenizer', suite: 'rust', missing: 'a binding', remedy: 'pnpm install' },
      ],
      { scope: 'pnpm test' },
    );
    expect(banner).toContain('NOT RUN: 3 test suites of pnpm test skipped');
    expect(banner.match(/bash tooling\/setup\.sh/g)).toHaveLength(1);
    expect(banner).toContain('- @x/playground: e2e\n!!     - @x/bench: report');
    expect(banner).toContain(
      'missing a binding:\n!!     - @x/tokenizer: rust\n!!     to run them: pnpm install',
    );
    const colored = skipBanner([{ package: 'p', suite: 's', ...chromium }], { color: true });
    expect(colored.startsWith('\u001b[1;33m')).toBe(true);
  });
});

describe('a vitest run that skips for the environment', () => {
  it('passes and ends with the banner naming the skipped suite and test', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/skipping/', import.meta.url));
    const require = createRequire(import.meta.url);
    const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
    const env = { ...process.env, CI: '', FORCE_COLOR: '0', NO_COLOR: '1' };
    delete env[SKIP_LOG_ENV]; // the run keeps its own log
    const { code, output } = await new Promise((resolve) => {
      execFile(process.execPath, [vitest, 'run'], { cwd: fixture, env }, (error, stdout, stderr) =>
        resolve({ code: error ? error.code : 0, output: stdout + stderr }),
      );
    });
    expect(code, output).toBe(0);
    const banner = output.slice(output.indexOf('!! NOT RUN'));
    expect(banner).toContain('NOT RUN: 2 test suites skipped');
    expect(banner).toContain('missing a flux capacitor:');
    expect(banner).toContain(': time travel');
    expect(banner).toContain(': arithmetic > on the moon');
    expect(banner).toContain('to run them: apt-get install flux-capacitor');
    expect(banner.indexOf('!! NOT RUN')).toBeGreaterThan(-1);
    expect(output.indexOf('Test Files')).toBeLessThan(output.indexOf('!! NOT RUN'));
  });
});
