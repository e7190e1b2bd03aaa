// `mamba-webgpu serve` end to end in a child process (the built dist/cli.js) on the tiny fixture:
// it listens on loopback, answers /health and a greedy completion with Hugging Face's ids, and
// SIGTERM shuts it down with exit code 0; bad options fail fast, before any GPU work.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToInt32, readAllTensors } from '../../src/index.js';
import { fixtureBytes, fixturePath } from '../loading/helpers.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe('mamba-webgpu serve', () => {
  let child: ChildProcess;
  let url: string;
  let stderr = '';
  let promptIds: number[];
  let greedy: number[];

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`serve test: ${cli} is missing; run pnpm build first`);
    const expected = await readAllTensors(bytesSource(fixtureBytes('mamba-tiny/expected.safetensors')));
    promptIds = Array.from(decodeToInt32(expected.get('prompt_ids')!));
    greedy = Array.from(decodeToInt32(expected.get('greedy_ids')!)).slice(promptIds.length);
    child = spawn(process.execPath, [
      cli,
      'serve',
      '--model',
      fixturePath('mamba-tiny'),
      '--port',
      '0',
      '--parallel',
      '2',
    ]);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
  }, 60_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers /health, a greedy completion as Hugging Face generates it, and /metrics', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const response = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mamba-tiny',
        prompt: promptIds,
        max_tokens: greedy.length,
        temperature: 0,
        ignore_eos: true,
        return_token_ids: true,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { token_ids: number[] }[] };
    expect(body.choices[0]!.token_ids).toEqual(greedy);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^mamba_requests_total 1$/m);
    expect(metrics).toMatch(new RegExp(`^mamba_generated_tokens_total ${greedy.length}$`, 'm'));
    expect(metrics).toMatch(/^mamba_slots 2$/m);
    expect(metrics).toMatch(/^mamba_active_rows 0$/m);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: cancelling running requests and shutting down/);
    expect(stderr).toMatch(/stopped/);
  }, 30_000);

  it('refuses a bad option before loading anything', async () => {
    const failed = await run(process.execPath, [
      cli,
      'serve',
      '--model',
      'no/such-model',
      '--port',
      'abc',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /--port must be an integer in \[0, 65535\], got "abc"/,
    );
  });
});
