// The CLI's flag checks as a user meets them (built dist/cli.js in a child process): unknown flags,
// missing values, stray arguments, bad numbers and id lists each end with one line on stderr and
// exit code 2, before any download (a fake hub counts the requests) or GPU work (the adapter is
// pinned to one that does not exist, so touching the GPU would fail differently). No GPU needed.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHub, startFakeHub } from '../loading/hub-server.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

let hub: FakeHub;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`cli test: ${cli} is missing; run pnpm build first`);
  hub = await startFakeHub([]);
});

afterAll(async () => {
  await hub?.close();
});

/** Runs the CLI; resolves with its exit code and output (never rejects). */
async function cliRun(args: readonly string[]) {
  const env = { ...process.env, HF_ENDPOINT: hub.endpoint, MAMBA_WEBGPU_ADAPTER: 'no-such-adapter' };
  return run(process.execPath, [cli, ...args], { env, timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** Exit 2 with exactly one line on stderr matching `message`, no stack, no request to the hub. */
async function expectUsageError(args: readonly string[], message: RegExp) {
  const before = hub.requests.length;
  const { code, stderr } = await cliRun(args);
  expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  expect(stderr.trim()).toMatch(message);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(code, args.join(' ')).toBe(2);
  expect(hub.requests.length).toBe(before);
}

const model = ['--model', 'acme/tiny'];
const ids = [...model, '--ids', '1,2'];

describe('mamba-webgpu generate: flags checked before any download or GPU work', () => {
  it.each<[string[], RegExp]>([
    [['--bogus'], /^mamba-webgpu generate: unknown option --bogus \(see mamba-webgpu generate --help\)$/],
    [['--modle', 'x'], /unknown option --modle; did you mean --model\?/],
    [['-x'], /unknown option -x/],
    [['--model'], /--model needs a value$/],
    [['--model', '--json'], /--model needs a value/],
    [[...ids, 'stray'], /unexpected argument "stray"/],
    [[...ids, '--json=yes'], /--json is a switch and takes no value, got "yes"/],
    [['--ids', '1'], /--model is required/],
    [['--model', '', '--ids', '1'], /--model must not be empty/],
    [model, /give exactly one of --prompt TEXT or --ids/],
    [[...ids, '--prompt', 'x'], /give exactly one of --prompt TEXT or --ids/],
    [[...model, '--prompt', ''], /--prompt must not be empty/],
    [[...model, '--ids', '1,,2'], /--ids item 2 is empty in "1,,2"/],
    [[...model, '--ids', '1,2,'], /--ids item 3 is empty in "1,2,"/],
    [[...model, '--ids', ','], /--ids item 1 is empty/],
    [[...model, '--ids', ' '], /--ids item 1 is empty/],
    [[...model, '--ids', '0x10'], /--ids item 1 must be a decimal token id >= 0, got "0x10"/],
    [[...model, '--ids', '1,1e3'], /--ids item 2 must be a decimal token id >= 0, got "1e3"/],
    [[...model, '--ids', '1.5'], /--ids item 1 must be a decimal token id/],
    [[...model, '--ids', '-1'], /--ids item 1 must be a decimal token id >= 0, got "-1"/],
    [[...model, '--ids', '99999999999999999999'], /--ids item 1 must be a decimal token id/],
    [[...ids, '--temperature', '-1'], /--temperature must be a number >= 0, got "-1"/],
    [[...ids, '--temperature', 'NaN'], /--temperature must be a number >= 0, got "NaN"/],
    [[...ids, '--temperature', 'Infinity'], /--temperature must be a number >= 0/],
    [[...ids, '--temperature', '0x1'], /--temperature must be a number >= 0, got "0x1"/],
    [[...ids, '--temperature='], /--temperature must be a number >= 0, got ""/],
    [[...ids, '--max-tokens', '1.5'], /--max-tokens must be an integer >= 1, got "1.5"/],
    [[...ids, '--max-tokens', '0'], /--max-tokens must be an integer >= 1, got "0"/],
    [[...ids, '-n', '1e3'], /--max-tokens must be an integer >= 1, got "1e3"/],
    [[...ids, '--top-p', '2'], /--top-p must be a number in \(0, 1\], got "2"/],
    [[...ids, '--top-p', '0'], /--top-p must be a number in \(0, 1\]/],
    [[...ids, '--min-p', '1'], /--min-p must be a number in \[0, 1\)/],
    [[...ids, '--top-k', '-3'], /--top-k must be an integer >= 0, got "-3"/],
    [[...ids, '--repetition-penalty', '0'], /--repetition-penalty must be a number > 0/],
    [[...ids, '--seed', '4294967296'], /--seed must be an integer in \[0, 2\^32\)/],
    [[...ids, '--seed', '-1'], /--seed must be an integer in \[0, 2\^32\), got "-1"/],
    [[...ids, '--dtype', 'int3'], /--dtype: dtype must be one of/],
    [[...ids, '--endpoint', 'ftp://x'], /--endpoint must be an http\(s\) URL, got "ftp:\/\/x"/],
    [[...ids, '--cache-dir', ''], /--cache-dir must not be empty/],
  ])('%j', async (args, message) => {
    await expectUsageError(['generate', ...args], message);
  });
});

describe('mamba-webgpu serve and train: the same rules', () => {
  it.each<[string[], RegExp]>([
    [['serve', '--bogus'], /^mamba-webgpu serve: unknown option --bogus/],
    [['serve', ...model, '--port', 'abc'], /--port must be an integer in \[0, 65535\], got "abc"/],
    [['serve', ...model, '--port', '-1'], /--port must be an integer in \[0, 65535\], got "-1"/],
    [['serve', ...model, '--parallel', '0'], /--parallel must be an integer >= 1/],
    [['serve', ...model, '--queue', '1.5'], /--queue must be an integer >= 0/],
    [['serve', ...model, '--host', ''], /--host must not be empty/],
    [['serve', ...model, 'x'], /unexpected argument "x"/],
    [['train', '--bogus'], /^mamba-webgpu train: unknown option --bogus/],
    [['train', ...model, '--out', 'o', '--data', 'd.json'], /--steps is required/],
    [
      ['train', ...model, '--out', 'o', '--data', 'd.json', '--steps', '1.5'],
      /--steps must be an integer >= 1/,
    ],
    [
      ['train', ...model, '--out', 'o', '--data', 'd.json', '--steps', '1', '--lr', '0x1'],
      /--lr must be a number >= 0/,
    ],
    [
      ['train', ...model, '--out', 'o', '--data', 'd.json', '--steps', '1', '--betas', '0.9,'],
      /--betas item 2 is empty/,
    ],
    [
      ['train', ...model, '--out', 'o', '--data', 'd.json', '--steps', '1', '--betas', '0.9,1'],
      /--betas item 2 must be a number in \[0, 1\)/,
    ],
    [
      ['train', ...model, '--out', 'o', '--data', 'd.json', '--steps', '1', '--batch-size', '0'],
      /--batch-size must be an integer >= 1/,
    ],
    [
      ['train', ...model, '--out', 'o', '--data', '/no/such/data.json', '--steps', '1'],
      /--data \/no\/such\/data.json must be a readable data file, it does not exist/,
    ],
  ])('%j', async (args, message) => {
    await expectUsageError(args, message);
  });
});

describe('mamba-webgpu', () => {
  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await cliRun([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(`${pkg.name} ${pkg.version}`);
    }
  });

  it('--help prints usage and exits 0; no command or an unknown one exits 2', async () => {
    const help = await cliRun(['generate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--max-tokens/);
    const none = await cliRun([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: mamba-webgpu generate\|train\|serve/);
    await expectUsageError(['frobnicate'], /^mamba-webgpu: unknown command "frobnicate"/);
  });
});
