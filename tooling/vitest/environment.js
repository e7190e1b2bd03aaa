// The one way a test says it cannot run on this machine (no Chromium, no native binding, another
// OS, no adapter of some kind): `runsHere` / `skipHere` record the suite in the skip log, which the
// vitest preset's reporter prints as a banner after each package's run and `pnpm test`
// (tooling/scripts/run-tests.mjs) after the whole run. A test never skips silently.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** The environment variable naming the skip log (JSON lines), set by the preset or `pnpm test`. */
export const SKIP_LOG_ENV = 'MAMBA_ENV_SKIPS_FILE';

/** Whether this is a CI run (`CI` set and not "false"/"0"): required environments fail there. */
export function inCi() {
  const ci = process.env.CI;
  return !!ci && ci !== 'false' && ci !== '0';
}

/** Debian's Chromium, or `CHROMIUM_PATH`: the browser the e2e and report-render tests drive. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** What `pnpm test` needs for Chromium, for `runsHere`'s `missing` and `remedy`. */
export function chromiumNeed() {
  const path = chromiumPath();
  return {
    available: existsSync(path),
    missing: `Chromium at ${path}`,
    remedy:
      'bash tooling/setup.sh (or bash tooling/scripts/install-chromium.sh; CHROMIUM_PATH=... for another build)',
  };
}

/** The package a test runs in (pnpm sets npm_package_name; else the folder name). */
function packageName() {
  return process.env.npm_package_name || basename(process.cwd());
}

/**
 * Records that `skip.suite` does not run here and warns right away.
 * @param {{ suite: string, missing: string, remedy: string }} skip
 */
function record(skip) {
  const entry = { package: packageName(), suite: skip.suite, missing: skip.missing, remedy: skip.remedy };
  console.warn(`SKIPPED (environment): ${entry.suite}: needs ${entry.missing}; to run it: ${entry.remedy}`);
  const log = process.env[SKIP_LOG_ENV];
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

/**
 * Whether a suite runs on this machine: yes when `available`; under CI also when `requiredInCi`
 * (the suite then fails on its own, e.g. `requireChromium`). Otherwise records the skip (the
 * end-of-run banner lists it) and returns false: `describe.skipIf(!runsHere({...}))(...)`.
 * @param {{ suite: string, available: boolean, missing: string, remedy: string, requiredInCi?: boolean }} need
 * @returns {boolean}
 */
export function runsHere(need) {
  if (need.available || (need.requiredInCi && inCi())) return true;
  record(need);
  return false;
}

/**
 * Skips the running test for the environment (found out inside the test), recorded like
 * `runsHere`: `skipHere(context, { suite, missing, remedy })`.
 * @param {{ skip(note?: string): never }} context the test context
 * @param {{ suite: string, missing: string, remedy: string }} skip
 * @returns {never}
 */
export function skipHere(context, skip) {
  record(skip);
  return context.skip(`environment: needs ${skip.missing}`);
}

/**
 * The skip-log entries from byte `offset` on, one per (package, suite), in order.
 * @param {string} log
 * @param {number} [offset]
 * @returns {{ package: string, suite: string, missing: string, remedy: string }[]}
 */
export function readSkipLog(log, offset = 0) {
  if (!existsSync(log)) return [];
  const text = readFileSync(log).subarray(offset).toString('utf8');
  const seen = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line);
      seen.set(`${entry.package}\u0000${entry.suite}`, entry);
    } catch {
      // A line cut by a crashed worker: nothing to report for it.
    }
  }
  return [...seen.values()];
}

/** The skip log's size now, to read only what a run appends (`readSkipLog(log, offset)`). */
export function skipLogSize(log) {
  return existsSync(log) ? statSync(log).size : 0;
}

/**
 * The banner listing suites that did not run, grouped by what was missing; '' when none.
 * @param {{ package: string, suite: string, missing: string, remedy: string }[]} entries
 * @param {{ color?: boolean, scope?: string }} [options]
 */
export function skipBanner(entries, options = {}) {
  if (entries.length === 0) return '';
  const rule = '!'.repeat(78);
  const lines = [
    rule,
    `!! NOT RUN: ${entries.length} test suite${entries.length === 1 ? '' : 's'}${options.scope ? ` of ${options.scope}` : ''} skipped: this machine lacks what they need`,
  ];
  const byNeed = new Map();
  for (const e of entries) {
    const key = `${e.missing}\u0000${e.remedy}`;
    byNeed.set(key, [...(byNeed.get(key) ?? []), e]);
  }
  for (const group of byNeed.values()) {
    lines.push(`!!   missing ${group[0].missing}:`);
    for (const e of group) lines.push(`!!     - ${e.package}: ${e.suite}`);
    lines.push(`!!     to run them: ${group[0].remedy}`);
  }
  lines.push('!! They did not pass: they did not run. (Under CI=true the browser tests fail instead.)', rule);
  const text = lines.join('\n');
  return options.color ? `\u001b[1;33m${text}\u001b[0m` : text;
}
