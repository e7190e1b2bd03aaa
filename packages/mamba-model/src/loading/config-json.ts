// The inverse of config.ts's schema: a MambaConfig as a Hugging Face `MambaConfig` (or
// `FalconMambaConfig`) config.json object, for saving checkpoints that transformers'
// `from_pretrained` and our loader both read.
// HF config keys appear here and in config.ts only.

import type { ConfigDtype, MambaConfig } from './config.js';

/** Options of `hfConfigJson`. */
export interface HfConfigJsonOptions {
  /** The weights' dtype as saved (`dtype` / `torch_dtype`); default `config.dtype`. */
  dtype?: ConfigDtype;
  /**
   * An HF config.json object to start from (the one the model was loaded with): its other keys
   * (`initializer_range`, `time_step_*`, ...) are kept; the keys the config defines are replaced.
   */
  base?: Readonly<Record<string, unknown>>;
}

/**
 * `config` as an HF config.json object. `vocab_size` is the embedding rows stored (padding
 * included), so the saved file needs no `pad_vocab_size_multiple`; an original-format config
 * converts to the HF format. `parseMambaConfig` of the result gives `config` back (format `hf`).
 */
export function hfConfigJson(
  config: MambaConfig,
  options: HfConfigJsonOptions = {},
): Record<string, unknown> {
  const json: Record<string, unknown> = { ...(options.base ?? {}) };
  delete json.pad_vocab_size_multiple;
  delete json.mixer_rms_eps;
  const dtype = options.dtype ?? config.dtype;
  // What the model computes decides the family transformers must build (FalconMamba: the norms).
  const falcon = config.bcdtRmsNorm;
  Object.assign(json, {
    architectures: [falcon ? 'FalconMambaForCausalLM' : 'MambaForCausalLM'],
    model_type: falcon ? 'falcon_mamba' : 'mamba',
    hidden_size: config.dModel,
    num_hidden_layers: config.nLayer,
    vocab_size: config.vocabSize,
    intermediate_size: config.dInner,
    expand: config.expand,
    state_size: config.dState,
    conv_kernel: config.dConv,
    time_step_rank: config.dtRank,
    use_conv_bias: config.convBias,
    use_bias: config.projBias,
    hidden_act: 'silu',
    layer_norm_epsilon: config.rmsNormEps,
    tie_word_embeddings: config.tieEmbeddings,
    residual_in_fp32: config.residualInFp32,
  });
  if (falcon) json.mixer_rms_eps = config.mixerRmsEps;
  if (dtype !== undefined) {
    // transformers >= 4.56 reads `dtype`; older versions read `torch_dtype`.
    json.dtype = dtype;
    json.torch_dtype = dtype;
  }
  const tokens = {
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    pad_token_id: config.padTokenId,
  };
  for (const [key, id] of Object.entries(tokens)) if (id !== undefined) json[key] = id;
  return json;
}
