// Text in, text out: a small random-weight checkpoint with the GPT-NeoX-20B vocabulary (the
// Mamba checkpoints' tokenizer) and its tokenizer.json beside the weights, through loadModel,
// model.stream (streamed text deltas) and the CLI's --prompt mode.

import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { writeTextCheckpoint } from '../loading/text-checkpoint.js';

let dir: string;
let model: MambaModel;

beforeAll(async () => {
  dir = writeTextCheckpoint({ chatTemplate: false });
  model = await loadModel(dir, { ctx: await getGpuContext(), progress: false });
});

afterAll(() => {
  model?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('text generation with the GPT-NeoX tokenizer', () => {
  it('loads tokenizer.json beside the weights', () => {
    expect(model.tokenizer).toBeDefined();
    expect(model.tokenizer!.encode('Hello world')).toEqual([12092, 1533]);
  });

  it('streams text deltas that add up to the decoded ids', async () => {
    const prompt = model.tokenizer!.encode('Mamba is a state space model');
    const ids: number[] = [];
    let text = '';
    for await (const chunk of model.stream(prompt, { maxTokens: 24, temperature: 1, seed: 3, eos: false })) {
      if (chunk.id >= 0) ids.push(chunk.id);
      text += chunk.text;
    }
    expect(ids).toHaveLength(24);
    expect(text).toBe(model.tokenizer!.decode(ids));
  });

  it('the CLI takes --prompt text and returns the same ids as the library', async () => {
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'generate', '--model', dir, '--prompt', 'Hello world', '--max-tokens', '6', '--no-eos', '--json'],
      { timeout: 120_000 },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      promptIds: number[];
      ids: number[];
      text: string;
    };
    expect(out.promptIds).toEqual([12092, 1533]);
    const lib = await model.generate([out.promptIds], { maxTokens: 6, eos: false });
    expect(out.ids).toEqual(lib[0]);
    expect(out.text).toBe(model.tokenizer!.decode(out.ids));
  });
});
