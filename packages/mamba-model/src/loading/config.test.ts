// Tests of the config schema mapping: both formats from the fixtures, FalconMamba, defaults,
// "auto" dt rank, vocab padding, and typed errors for bad or unsupported configs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/loading/helpers.js';
import { parseMambaConfig } from './config.js';
import { ConfigError } from './errors.js';

const readConfig = (folder: string) => readFileSync(fixturePath(`${folder}/config.json`), 'utf8');

describe('parseMambaConfig', () => {
  it('parses the HF fixture configs', () => {
    const f32 = parseMambaConfig(readConfig('mamba-tiny'));
    expect(f32).toMatchObject({
      format: 'hf',
      modelType: 'mamba',
      bcdtRmsNorm: false,
      dModel: 64,
      nLayer: 2,
      vocabSize: 512,
      vocabSizeUnpadded: 512,
      dInner: 128,
      dState: 16,
      dConv: 4,
      dtRank: 4,
      expand: 2,
      convBias: true,
      projBias: false,
      rmsNormEps: 1e-5,
      tieEmbeddings: true,
      residualInFp32: true,
      dtype: 'float32',
      eosTokenId: 0,
    });
    expect(parseMambaConfig(readConfig('mamba-tiny-bf16')).dtype).toBe('bfloat16');
  });

  it('parses the FalconMamba fixture config: dt/B/C norms, mixer eps, untied head', () => {
    expect(parseMambaConfig(readConfig('falcon-mamba-tiny'))).toMatchObject({
      format: 'hf',
      modelType: 'falcon_mamba',
      bcdtRmsNorm: true,
      mixerRmsEps: 1e-6,
      dModel: 64,
      nLayer: 2,
      vocabSize: 384,
      dInner: 128,
      dState: 16,
      dtRank: 8,
      rmsNormEps: 1e-5,
      tieEmbeddings: false,
    });
  });

  it('takes FalconMamba dInner from intermediate_size and mixer_rms_eps when given', () => {
    const falcon = parseMambaConfig({
      model_type: 'falcon_mamba',
      hidden_size: 64,
      num_hidden_layers: 1,
      vocab_size: 10,
      intermediate_size: 96,
      mixer_rms_eps: 1e-3,
    });
    expect(falcon).toMatchObject({ dInner: 96, expand: 1.5, mixerRmsEps: 1e-3, bcdtRmsNorm: true });
    // Defaults as transformers' FalconMambaConfig: expand 2, mixer_rms_eps 1e-6.
    const defaults = parseMambaConfig({
      model_type: 'falcon_mamba',
      hidden_size: 64,
      num_hidden_layers: 1,
      vocab_size: 10,
    });
    expect(defaults).toMatchObject({ dInner: 128, mixerRmsEps: 1e-6 });
  });

  it('parses the original-format fixture config to the same model', () => {
    const original = parseMambaConfig(readConfig('mamba-tiny-orig'));
    const hf = parseMambaConfig(readConfig('mamba-tiny'));
    expect(original.format).toBe('original');
    for (const key of [
      'dModel',
      'nLayer',
      'vocabSize',
      'dInner',
      'dState',
      'dConv',
      'dtRank',
      'convBias',
      'projBias',
      'tieEmbeddings',
    ] as const) {
      expect(original[key], key).toBe(hf[key]);
    }
  });

  it('computes "auto" dt rank, padded vocab and dInner from expand', () => {
    const hf = parseMambaConfig({
      hidden_size: 768,
      num_hidden_layers: 24,
      vocab_size: 50277,
      time_step_rank: 'auto',
      pad_vocab_size_multiple: 8,
    });
    expect(hf).toMatchObject({
      dtRank: 48,
      dInner: 1536,
      vocabSize: 50280,
      vocabSizeUnpadded: 50277,
      dState: 16,
      dConv: 4,
    });
    const original = parseMambaConfig({
      d_model: 2560,
      n_layer: 64,
      vocab_size: 50277,
      ssm_cfg: { d_state: 32, dt_rank: 'auto' },
    });
    expect(original).toMatchObject({
      dtRank: 160,
      dInner: 5120,
      vocabSize: 50280,
      dState: 32,
      padVocabSizeMultiple: 8,
    });
    const untied = parseMambaConfig({
      d_model: 64,
      n_layer: 1,
      vocab_size: 10,
      tie_embeddings: false,
      pad_vocab_size_multiple: 1,
      ssm_cfg: { bias: true },
    });
    expect(untied).toMatchObject({ tieEmbeddings: false, vocabSize: 10, projBias: true });
  });

  const cases: [string, unknown, string | undefined][] = [
    ['not an object', [1, 2], undefined],
    ['neither format', { foo: 1 }, undefined],
    ['missing key', { hidden_size: 64, vocab_size: 10 }, 'num_hidden_layers'],
    ['negative', { hidden_size: -64, num_hidden_layers: 2, vocab_size: 10 }, 'hidden_size'],
    ['string number', { hidden_size: 64, num_hidden_layers: '2', vocab_size: 10 }, 'num_hidden_layers'],
    [
      'bad rank',
      { hidden_size: 64, num_hidden_layers: 2, vocab_size: 10, time_step_rank: 'big' },
      'time_step_rank',
    ],
    [
      'bad dtype',
      { hidden_size: 64, num_hidden_layers: 2, vocab_size: 10, torch_dtype: 'int8' },
      'torch_dtype',
    ],
    ['bad act', { hidden_size: 64, num_hidden_layers: 2, vocab_size: 10, hidden_act: 'gelu' }, 'hidden_act'],
    ['mamba2', { model_type: 'mamba2', hidden_size: 64 }, 'model_type'],
    [
      'bad mixer eps',
      {
        model_type: 'falcon_mamba',
        hidden_size: 64,
        num_hidden_layers: 2,
        vocab_size: 10,
        mixer_rms_eps: -1,
      },
      'mixer_rms_eps',
    ],
    [
      'string mixer eps',
      {
        model_type: 'falcon_mamba',
        hidden_size: 64,
        num_hidden_layers: 2,
        vocab_size: 10,
        mixer_rms_eps: '1e-6',
      },
      'mixer_rms_eps',
    ],
    [
      'falcon without hidden_size',
      { model_type: 'falcon_mamba', d_model: 64, n_layer: 2, vocab_size: 10 },
      'hidden_size',
    ],
    [
      'falcon bad dInner',
      {
        model_type: 'falcon_mamba',
        hidden_size: 64,
        num_hidden_layers: 2,
        vocab_size: 10,
        intermediate_size: 0,
      },
      'intermediate_size',
    ],
    [
      'mamba2 original',
      { d_model: 64, n_layer: 2, vocab_size: 10, ssm_cfg: { layer: 'Mamba2' } },
      'ssm_cfg.layer',
    ],
    ['hybrid', { d_model: 64, n_layer: 2, vocab_size: 10, attn_layer_idx: [1] }, 'attn_layer_idx'],
    [
      'bad ssm_cfg value',
      { d_model: 64, n_layer: 2, vocab_size: 10, ssm_cfg: { d_state: 0 } },
      'ssm_cfg.d_state',
    ],
    [
      'bad eps',
      { hidden_size: 64, num_hidden_layers: 2, vocab_size: 10, layer_norm_epsilon: 0 },
      'layer_norm_epsilon',
    ],
  ];
  it.each(cases)('rejects %s with a ConfigError naming the key', (_label, json, key) => {
    let error: unknown;
    try {
      parseMambaConfig(json, 'dir/config.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe('dir/config.json');
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toMatch(/^parseMambaConfig: .*dir\/config\.json/);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseMambaConfig('{oops', 'c.json')).toThrow(ConfigError);
  });
});
