// Text in, text out: a small random-weight checkpoint with the GPT-NeoX-20B vocabulary (the
// Mamba checkpoints' tokenizer) and its tokenizer.json beside the weights, through loadModel,
// model.stream (streamed text deltas) and the CLI's --prompt mode.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { buildSafetensors, fixturePath } from '../loading/helpers.js';

const VOCAB = 50280;
const D_MODEL = 16;
const D_INNER = 32;
const D_STATE = 4;
const DT_RANK = 2;

let dir: string;
let model: MambaModel;

function f32(values: Float32Array) {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mamba-text-'));
  const rng = new SeededRandom(42);
  const tensor = (name: string, shape: number[], draw: () => number) => ({
    name,
    dtype: 'F32',
    shape,
    data: f32(
      rng.array(
        shape.reduce((a, b) => a * b, 1),
        draw,
      ),
    ),
  });
  const small = () => rng.normal() * 0.3;
  const prefix = 'backbone.layers.0.mixer';
  const tensors = [
    tensor('backbone.embeddings.weight', [VOCAB, D_MODEL], small),
    tensor('backbone.layers.0.norm.weight', [D_MODEL], () => 1 + 0.1 * rng.normal()),
    tensor(`${prefix}.A_log`, [D_INNER, D_STATE], () => Math.log(1 + rng.int(8))),
    tensor(`${prefix}.D`, [D_INNER], () => 1),
    tensor(`${prefix}.conv1d.weight`, [D_INNER, 1, 4], small),
    tensor(`${prefix}.conv1d.bias`, [D_INNER], small),
    tensor(`${prefix}.dt_proj.weight`, [D_INNER, DT_RANK], small),
    tensor(`${prefix}.dt_proj.bias`, [D_INNER], () => -3),
    tensor(`${prefix}.in_proj.weight`, [2 * D_INNER, D_MODEL], small),
    tensor(`${prefix}.out_proj.weight`, [D_MODEL, D_INNER], small),
    tensor(`${prefix}.x_proj.weight`, [DT_RANK + 2 * D_STATE, D_INNER], small),
    tensor('backbone.norm_f.weight', [D_MODEL], () => 1),
  ];
  writeFileSync(join(dir, 'model.safetensors'), buildSafetensors(tensors, { format: 'pt' }));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['MambaForCausalLM'],
      model_type: 'mamba',
      hidden_size: D_MODEL,
      intermediate_size: D_INNER,
      num_hidden_layers: 1,
      vocab_size: VOCAB,
      state_size: D_STATE,
      conv_kernel: 4,
      expand: 2,
      time_step_rank: DT_RANK,
      use_bias: false,
      use_conv_bias: true,
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
      eos_token_id: 0,
    }),
  );
  // The tokenizer package's fixture (one copy in the repo, shared by its tests and these).
  copyFileSync(
    fixturePath('../../../tokenizer/test/fixtures/gpt-neox-20b/tokenizer.json'),
    join(dir, 'tokenizer.json'),
  );
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
