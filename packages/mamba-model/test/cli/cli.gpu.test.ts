// The CLI end to end, as a user runs it (built dist/cli.js in a child process): a local folder,
// and the same fixture served by a local fake Hugging Face hub (resolve/main/<file> layout)
// through HF_ENDPOINT, downloaded into a temporary cache.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToInt32, readAllTensors } from '../../src/index.js';
import { fixtureBytes, fixturePath } from '../loading/helpers.js';
import { type FakeHub, startFakeHub } from '../loading/hub-server.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

let promptIds: number[];
let want: number[];
let hub: FakeHub;
let cache: string;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`cli test: ${cli} is missing; run pnpm build first`);
  const expected = await readAllTensors(bytesSource(fixtureBytes('mamba-tiny/expected.safetensors')));
  promptIds = Array.from(decodeToInt32(expected.get('prompt_ids')!));
  want = Array.from(decodeToInt32(expected.get('greedy_ids')!)).slice(promptIds.length);
  const files = new Map(
    ['config.json', 'model.safetensors'].map((f) => [f, fixtureBytes(`mamba-tiny/${f}`)]),
  );
  hub = await startFakeHub([{ id: 'tiny-org/mamba-tiny', files, lfs: new Set(['model.safetensors']) }]);
  cache = mkdtempSync(join(tmpdir(), 'mamba-cli-cache-'));
});

afterAll(async () => {
  await hub?.close();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

async function generate(model: string, extra: string[] = [], env: Record<string, string> = {}) {
  const { stdout } = await run(
    process.execPath,
    [
      cli,
      'generate',
      '--model',
      model,
      '--ids',
      promptIds.join(','),
      '--max-tokens',
      String(want.length),
      '--no-eos',
      '--json',
      ...extra,
    ],
    { env: { ...process.env, ...env }, timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    ids: number[];
    seed: number;
    stats: { decodeTokensPerSecond: number; prefillIncludesCompilation: boolean };
  };
}

describe('mamba-webgpu generate', () => {
  it('greedy ids from a local folder equal HF generate()', async () => {
    const out = await generate(fixturePath('mamba-tiny'));
    expect(out.ids).toEqual(want);
    expect(out.stats.decodeTokensPerSecond).toBeGreaterThan(0);
  });

  it('--dtype q8 quantizes at load (greedy ids of the tiny model unchanged); a bad --dtype exits 2', async () => {
    const out = await generate(fixturePath('mamba-tiny'), ['--dtype', 'q8']);
    expect(out.ids).toEqual(want);
    await expect(generate(fixturePath('mamba-tiny'), ['--dtype', 'int3'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /--dtype: dtype must be one of 'f32', 'bf16', 'f16', 'q8', 'q4', got 'int3'/,
      ),
    });
  });

  it('downloads from a hub (HF_ENDPOINT) into the cache, then runs from the cache', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, MAMBA_WEBGPU_CACHE: cache };
    const first = await generate('tiny-org/mamba-tiny', [], env);
    expect(first.ids).toEqual(want);
    const weightRequests = () =>
      hub.requests.filter((r) => r.path.endsWith('model.safetensors') && r.method === 'GET').length;
    const before = weightRequests();
    const second = await generate('tiny-org/mamba-tiny', [], env);
    expect(second.ids).toEqual(want);
    expect(weightRequests()).toBe(before);
  });

  it('fails with a typed message and exit code 2 on bad input', async () => {
    await expect(
      run(process.execPath, [
        cli,
        'generate',
        '--model',
        fixturePath('mamba-tiny'),
        '--ids',
        '1,2,99999',
        '--json',
      ]),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/outside the vocabulary/) });
    await expect(
      run(process.execPath, [cli, 'generate', '--model', fixturePath('mamba-tiny'), '--prompt', 'hi']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no tokenizer.json; pass the prompt as --ids/),
    });
  });

  it('draws a random seed when none is given, prints it, and --seed repeats the run', async () => {
    const sampled = ['--temperature', '1.5'];
    const first = await generate(fixturePath('mamba-tiny'), sampled);
    expect(first.seed).toBeGreaterThanOrEqual(0);
    expect(first.seed).toBeLessThan(2 ** 32);
    expect(first.stats.prefillIncludesCompilation).toBe(true);
    const again = await generate(fixturePath('mamba-tiny'), [...sampled, '--seed', String(first.seed)]);
    expect(again.seed).toBe(first.seed);
    expect(again.ids).toEqual(first.ids);
    const { stderr } = await run(process.execPath, [
      cli,
      'generate',
      '--model',
      fixturePath('mamba-tiny'),
      '--ids',
      promptIds.join(','),
      ...sampled,
    ]);
    expect(stderr).toMatch(/^seed: \d+ \(random; --seed \d+ repeats this run\)$/m);
    expect(stderr).toMatch(/tok\/s, includes first-call shader compilation and graph capture\); decode: /);
  });

  it('a closed stdout (| head -c1) stops generation with one line and exit code 2', async () => {
    const child = spawn(process.execPath, [
      cli,
      'generate',
      '--model',
      fixturePath('mamba-tiny'),
      '--ids',
      promptIds.join(','),
      '--max-tokens',
      '5000',
      '--no-eos',
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    const ours = stderr.split('\n').filter((line) => line.startsWith('mamba-webgpu'));
    expect(ours).toEqual(['mamba-webgpu: stdout was closed (EPIPE); stopped generating']);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
