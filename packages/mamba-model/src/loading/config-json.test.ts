// Tests of hfConfigJson: both fixture formats map back to the same config through the parser,
// base keys are kept, and the dtype keys follow the saved dtype.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/loading/helpers.js';
import { parseMambaConfig } from './config.js';
import { hfConfigJson } from './config-json.js';

const readConfig = (folder: string) => readFileSync(fixturePath(`${folder}/config.json`), 'utf8');

describe('hfConfigJson', () => {
  it('round-trips the HF fixture config through parseMambaConfig', () => {
    const config = parseMambaConfig(readConfig('mamba-tiny'));
    expect(parseMambaConfig(hfConfigJson(config))).toEqual(config);
  });

  it('round-trips the FalconMamba fixture config (model_type, architectures, mixer_rms_eps)', () => {
    const config = parseMambaConfig(readConfig('falcon-mamba-tiny'));
    const json = hfConfigJson(config);
    expect(json).toMatchObject({
      model_type: 'falcon_mamba',
      architectures: ['FalconMambaForCausalLM'],
      mixer_rms_eps: 1e-6,
      tie_word_embeddings: false,
    });
    expect(parseMambaConfig(json)).toEqual(config);
    // A plain Mamba config saved over a FalconMamba base drops the falcon keys.
    const plain = hfConfigJson(parseMambaConfig(readConfig('mamba-tiny')), { base: json });
    expect(plain).toMatchObject({ model_type: 'mamba', architectures: ['MambaForCausalLM'] });
    expect(plain).not.toHaveProperty('mixer_rms_eps');
  });

  it('converts the original-format config to an HF one describing the same model', () => {
    const original = parseMambaConfig(readConfig('mamba-tiny-orig'));
    const json = hfConfigJson(original, { dtype: 'bfloat16' });
    expect(json).toMatchObject({ model_type: 'mamba', hidden_size: 64, vocab_size: 512, dtype: 'bfloat16' });
    expect(parseMambaConfig(json)).toEqual({
      ...original,
      format: 'hf',
      padVocabSizeMultiple: 1,
      dtype: 'bfloat16',
    });
  });

  it('keeps the base config keys it does not define and replaces those it does', () => {
    const base = JSON.parse(readConfig('mamba-tiny')) as Record<string, unknown>;
    const config = parseMambaConfig(base);
    const json = hfConfigJson(config, {
      base: { ...base, hidden_size: 1, pad_vocab_size_multiple: 8 },
      dtype: 'float16',
    });
    expect(json.initializer_range).toBe(0.1);
    expect(json.time_step_floor).toBe(0.0001);
    expect(json.hidden_size).toBe(64);
    expect(json).not.toHaveProperty('pad_vocab_size_multiple');
    expect(json.torch_dtype).toBe('float16');
  });
});
