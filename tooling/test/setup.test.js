// tooling/setup.sh's options, through --plan (which changes nothing): Chromium by default on Linux,
// --no-chromium to skip it, --with-chromium (CI) to require it, and unknown options refused.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const setup = fileURLToPath(new URL('../setup.sh', import.meta.url));

function run(...args) {
  return new Promise((resolve) => {
    execFile('bash', [setup, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, output: stdout + stderr }),
    );
  });
}

describe('tooling/setup.sh', () => {
  it('installs Chromium by default on Linux (and says how to get one elsewhere)', async () => {
    const { code, output } = await run('--plan');
    expect(code, output).toBe(0);
    if (process.platform === 'linux') {
      expect(output).toContain(
        'plan: Chromium for the browser tests (default on Linux; --no-chromium skips it)',
      );
    } else {
      expect(output).toContain('plan: no Chromium');
      expect(output).toContain('CHROMIUM_PATH');
    }
  });

  it('skips Chromium with --no-chromium and requires it with --with-chromium', async () => {
    expect((await run('--no-chromium', '--plan')).output).toContain('plan: no Chromium (--no-chromium)');
    expect((await run('--with-chromium', '--plan')).output).toContain('(--with-chromium: required)');
  });

  it('refuses an unknown option with exit 2, and --help lists the options', async () => {
    const bad = await run('--chromium');
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('setup: unknown option --chromium');
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const flag of ['--no-chromium', '--with-chromium', '--plan']) expect(help.output).toContain(flag);
  });
});
