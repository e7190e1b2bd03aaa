// `pnpm test`: every package's vitest suite through turbo (test, then test:gc, one package at a
// time), then one summary of the suites skipped because this machine lacks something (Chromium,
// a native binding, Linux): each package's run records them in one skip log
// (tooling/vitest/environment.js), so a run that skipped suites never ends looking complete.
// Arguments go to turbo (`pnpm test --filter=@mamba-webgpu/tokenizer`). Exit status: turbo's.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSkipLog, SKIP_LOG_ENV, skipBanner } from '../vitest/environment.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'mamba-webgpu-test-'));
const log = join(dir, 'env-skips.jsonl');
const started = Date.now();
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', 'test:gc', '--concurrency=1', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, [SKIP_LOG_ENV]: log } },
);
const entries = readSkipLog(log);
rmSync(dir, { recursive: true, force: true });

const code = turbo.status ?? 1;
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log('');
const notRun = entries.length > 0 ? `; ${entries.length} suite(s) NOT RUN on this machine, see below` : '';
console.log(`pnpm test: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${minutes} min${notRun}`);
if (entries.length > 0)
  console.log(skipBanner(entries, { color: !!process.stdout.isTTY, scope: 'pnpm test' }));
else console.log('pnpm test: no suite was skipped for the environment');
process.exit(code);
