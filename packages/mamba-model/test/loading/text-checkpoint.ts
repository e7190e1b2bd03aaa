// A small random-weight checkpoint (one layer, seeded) with the GPT-NeoX-20B vocabulary and its
// tokenizer.json, plus by default a tokenizer_config.json with a ChatML-style chat template: the
// text-generation and serving tests' model.

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import { buildSafetensors, fixturePath } from './helpers.js';

export const CHAT_TEMPLATE =
  "{% if messages[0]['role'] == 'assistant' %}{{ raise_exception('Conversations must start with a user or system message') }}{% endif %}" +
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Writes the checkpoint into a new temporary folder and returns its path. */
export function writeTextCheckpoint(options: { chatTemplate?: boolean } = {}): string {
  const vocab = 50280;
  const [dModel, dInner, dState, dtRank] = [16, 32, 4, 2];
  const dir = mkdtempSync(join(tmpdir(), 'mamba-text-'));
  const rng = new SeededRandom(42);
  const tensor = (name: string, shape: number[], draw: () => number) => {
    const values = rng.array(
      shape.reduce((a, b) => a * b, 1),
      draw,
    );
    return {
      name,
      dtype: 'F32',
      shape,
      data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    };
  };
  const small = () => rng.normal() * 0.3;
  const prefix = 'backbone.layers.0.mixer';
  const tensors = [
    tensor('backbone.embeddings.weight', [vocab, dModel], small),
    tensor('backbone.layers.0.norm.weight', [dModel], () => 1 + 0.1 * rng.normal()),
    tensor(`${prefix}.A_log`, [dInner, dState], () => Math.log(1 + rng.int(8))),
    tensor(`${prefix}.D`, [dInner], () => 1),
    tensor(`${prefix}.conv1d.weight`, [dInner, 1, 4], small),
    tensor(`${prefix}.conv1d.bias`, [dInner], small),
    tensor(`${prefix}.dt_proj.weight`, [dInner, dtRank], small),
    tensor(`${prefix}.dt_proj.bias`, [dInner], () => -3),
    tensor(`${prefix}.in_proj.weight`, [2 * dInner, dModel], small),
    tensor(`${prefix}.out_proj.weight`, [dModel, dInner], small),
    tensor(`${prefix}.x_proj.weight`, [dtRank + 2 * dState, dInner], small),
    tensor('backbone.norm_f.weight', [dModel], () => 1),
  ];
  writeFileSync(join(dir, 'model.safetensors'), buildSafetensors(tensors, { format: 'pt' }));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['MambaForCausalLM'],
      model_type: 'mamba',
      hidden_size: dModel,
      intermediate_size: dInner,
      num_hidden_layers: 1,
      vocab_size: vocab,
      state_size: dState,
      conv_kernel: 4,
      expand: 2,
      time_step_rank: dtRank,
      use_bias: false,
      use_conv_bias: true,
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
      eos_token_id: 0,
    }),
  );
  copyFileSync(
    fixturePath('../../../tokenizer/test/fixtures/gpt-neox-20b/tokenizer.json'),
    join(dir, 'tokenizer.json'),
  );
  if (options.chatTemplate ?? true) {
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        bos_token: '<|endoftext|>',
        eos_token: { content: '<|endoftext|>', special: true },
        chat_template: CHAT_TEMPLATE,
      }),
    );
  }
  return dir;
}
