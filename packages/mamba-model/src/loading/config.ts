// The typed Mamba config and the one schema mapping from checkpoint config.json files to it:
// Hugging Face `MambaConfig` (hidden_size, state_size, ...) and `FalconMambaConfig` (the same keys
// plus mixer_rms_eps), and the original state-spaces format (d_model, n_layer, ssm_cfg, ...).
// Config keys of any format appear in this file (and its inverse, config-json.ts) only.

import { ConfigError } from './errors.js';
import { describeJson, parseJsonText, StrictJsonError, tooDeepMessage } from './json.js';

/**
 * The dtype a config declares for its weights (informative: each tensor carries its own; compute is
 * f32 whatever it says, F64 tensors are rounded to f32 on load).
 */
export type ConfigDtype = 'float32' | 'float16' | 'bfloat16' | 'float64';

/** torch dtype names a config may use (`torch_dtype` is any `torch.<name>`), by the ConfigDtype they mean. */
const DTYPE_NAMES: Readonly<Record<string, ConfigDtype>> = {
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  float64: 'float64',
  double: 'float64',
};

/**
 * Which model family: `mamba` (MambaForCausalLM, state-spaces Mamba-1) or `falcon_mamba`
 * (FalconMambaForCausalLM: Mamba-1 with weightless RMSNorms on dt, B and C, see `bcdtRmsNorm`).
 */
export type MambaModelType = 'mamba' | 'falcon_mamba';

/** A Mamba (v1) language model's hyper-parameters, independent of the checkpoint format. */
export interface MambaConfig {
  /** Which config.json format this came from. */
  readonly format: 'hf' | 'original';
  /** The model family (HF `model_type`); `original` configs are always `mamba`. */
  readonly modelType: MambaModelType;
  /** Residual stream width. */
  readonly dModel: number;
  readonly nLayer: number;
  /** Vocabulary size after padding (rows of the embedding and of the LM head). */
  readonly vocabSize: number;
  /** Vocabulary size as written in the config, before padding. */
  readonly vocabSizeUnpadded: number;
  /** The vocabulary is padded up to a multiple of this (1: no padding). */
  readonly padVocabSizeMultiple: number;
  /** Width of the SSM branch, `expand * dModel` unless the config says otherwise. */
  readonly dInner: number;
  readonly dState: number;
  /** Causal depthwise convolution width. */
  readonly dConv: number;
  /** Rank of the delta (time-step) projection. */
  readonly dtRank: number;
  readonly expand: number;
  /** conv1d has a bias. */
  readonly convBias: boolean;
  /** in_proj and out_proj have biases. */
  readonly projBias: boolean;
  readonly rmsNormEps: number;
  /**
   * The mixer normalises x_proj's outputs dt (over dtRank, before dt_proj), B and C (over dState)
   * with a weightless RMSNorm, `h * rsqrt(mean(h^2) + mixerRmsEps)` (FalconMamba); false for Mamba.
   */
  readonly bcdtRmsNorm: boolean;
  /** The eps of the dt/B/C RMSNorms (HF `mixer_rms_eps`, default 1e-6); unused without them. */
  readonly mixerRmsEps: number;
  /** The LM head reuses the embedding matrix. */
  readonly tieEmbeddings: boolean;
  /** The residual stream is kept in f32 (always true for our f32 compute). */
  readonly residualInFp32: boolean;
  /** Declared weight dtype, when the config states one. */
  readonly dtype: ConfigDtype | undefined;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed keys from one JSON object, throwing `ConfigError`s that name the key and file. */
class KeyReader {
  constructor(
    private readonly json: Json,
    private readonly file: string,
    private readonly prefix = '',
  ) {}

  private error(key: string, expected: string, got: unknown): never {
    throw new ConfigError(
      `parseMambaConfig: ${this.prefix}${key} in ${this.file} must be ${expected}, got ${describeJson(got)}`,
      this.file,
      this.prefix + key,
    );
  }

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  positiveInt(key: string, fallback?: number): number {
    const value = this.json[key] ?? fallback;
    if (value === undefined) {
      throw new ConfigError(
        `parseMambaConfig: ${this.file} must set ${this.prefix}${key}, it is missing`,
        this.file,
        this.prefix + key,
      );
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      this.error(key, 'a positive integer', value);
    return value;
  }

  positiveNumber(key: string, fallback: number): number {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      this.error(key, 'a positive number', value);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'boolean') this.error(key, 'true or false', value);
    return value;
  }

  optionalTokenId(key: string): number | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return this.optionalTokenIdFrom(key, value[0]);
    return this.optionalTokenIdFrom(key, value);
  }

  private optionalTokenIdFrom(key: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      this.error(key, 'a token id', value);
    return value;
  }

  /** `fallback` for a missing key; "auto" gives `auto`. */
  intOrAuto(key: string, fallback: number | 'auto', auto: number): number {
    const value = this.json[key] ?? fallback;
    if (value === 'auto') return auto;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
      this.error(key, 'a positive integer or "auto"', value);
    return value;
  }

  dtype(...keys: string[]): ConfigDtype | undefined {
    for (const key of keys) {
      const value = this.json[key];
      if (value === undefined || value === null) continue;
      const name = typeof value === 'string' ? value.replace(/^torch\./, '') : undefined;
      if (name !== undefined && Object.hasOwn(DTYPE_NAMES, name)) return DTYPE_NAMES[name]!;
      this.error(key, '"float32", "float16", "bfloat16" or "float64"', value);
    }
    return undefined;
  }
}

function padVocab(vocabSize: number, multiple: number): number {
  return Math.ceil(vocabSize / multiple) * multiple;
}

/** FalconMamba's default `mixer_rms_eps` (transformers' `FalconMambaConfig`). */
const DEFAULT_MIXER_RMS_EPS = 1e-6;

function parseHf(json: Json, file: string, modelType: MambaModelType): MambaConfig {
  const read = new KeyReader(json, file);
  const falcon = modelType === 'falcon_mamba';
  if (json.hidden_act !== undefined && json.hidden_act !== 'silu') {
    throw new ConfigError(
      `parseMambaConfig: hidden_act in ${file} must be "silu", got ${describeJson(json.hidden_act)}`,
      file,
      'hidden_act',
    );
  }
  const dModel = read.positiveInt('hidden_size');
  const expand = read.positiveNumber('expand', 2);
  const dInner = read.positiveInt('intermediate_size', Math.round(expand * dModel));
  const vocabSizeUnpadded = read.positiveInt('vocab_size');
  const padVocabSizeMultiple = read.positiveInt('pad_vocab_size_multiple', 1);
  return {
    format: 'hf',
    modelType,
    dModel,
    nLayer: read.positiveInt('num_hidden_layers'),
    vocabSize: padVocab(vocabSizeUnpadded, padVocabSizeMultiple),
    vocabSizeUnpadded,
    padVocabSizeMultiple,
    dInner,
    dState: read.positiveInt('state_size', 16),
    dConv: read.positiveInt('conv_kernel', 4),
    dtRank: read.intOrAuto('time_step_rank', 'auto', Math.ceil(dModel / 16)),
    expand: dInner / dModel,
    convBias: read.boolean('use_conv_bias', true),
    projBias: read.boolean('use_bias', false),
    rmsNormEps: read.positiveNumber('layer_norm_epsilon', 1e-5),
    bcdtRmsNorm: falcon,
    // Read (and validated) for FalconMamba only: a plain Mamba config has no such key.
    mixerRmsEps: falcon ? read.positiveNumber('mixer_rms_eps', DEFAULT_MIXER_RMS_EPS) : DEFAULT_MIXER_RMS_EPS,
    tieEmbeddings: read.boolean('tie_word_embeddings', true),
    residualInFp32: read.boolean('residual_in_fp32', true),
    dtype: read.dtype('dtype', 'torch_dtype'),
    bosTokenId: read.optionalTokenId('bos_token_id'),
    eosTokenId: read.optionalTokenId('eos_token_id'),
    padTokenId: read.optionalTokenId('pad_token_id'),
  };
}

function parseOriginal(json: Json, file: string): MambaConfig {
  const read = new KeyReader(json, file);
  const ssm = json.ssm_cfg ?? {};
  if (!isObject(ssm)) {
    throw new ConfigError(
      `parseMambaConfig: ssm_cfg in ${file} must be an object, got ${describeJson(ssm)}`,
      file,
      'ssm_cfg',
    );
  }
  if (ssm.layer !== undefined && ssm.layer !== 'Mamba1') {
    throw new ConfigError(
      `parseMambaConfig: ssm_cfg.layer in ${file} must be "Mamba1", got ${describeJson(ssm.layer)}. Only Mamba-1 models are supported.`,
      file,
      'ssm_cfg.layer',
    );
  }
  if (json.rms_norm === false) {
    throw new ConfigError(
      `parseMambaConfig: rms_norm in ${file} must be true (LayerNorm models are not supported), got false`,
      file,
      'rms_norm',
    );
  }
  if (json.d_intermediate !== undefined && json.d_intermediate !== 0) {
    throw new ConfigError(
      `parseMambaConfig: d_intermediate in ${file} must be 0 (no MLP blocks), got ${describeJson(json.d_intermediate)}. Hybrid models are not supported.`,
      file,
      'd_intermediate',
    );
  }
  if (Array.isArray(json.attn_layer_idx) && json.attn_layer_idx.length > 0) {
    throw new ConfigError(
      `parseMambaConfig: attn_layer_idx in ${file} must be empty, got ${describeJson(json.attn_layer_idx)}. Hybrid models are not supported.`,
      file,
      'attn_layer_idx',
    );
  }
  const ssmRead = new KeyReader(ssm, file, 'ssm_cfg.');
  const dModel = read.positiveInt('d_model');
  const expand = ssmRead.positiveInt('expand', 2);
  const vocabSizeUnpadded = read.positiveInt('vocab_size');
  const padVocabSizeMultiple = read.positiveInt('pad_vocab_size_multiple', 8);
  return {
    format: 'original',
    modelType: 'mamba',
    dModel,
    nLayer: read.positiveInt('n_layer'),
    vocabSize: padVocab(vocabSizeUnpadded, padVocabSizeMultiple),
    vocabSizeUnpadded,
    padVocabSizeMultiple,
    dInner: expand * dModel,
    dState: ssmRead.positiveInt('d_state', 16),
    dConv: ssmRead.positiveInt('d_conv', 4),
    dtRank: ssmRead.intOrAuto('dt_rank', 'auto', Math.ceil(dModel / 16)),
    expand,
    convBias: ssmRead.boolean('conv_bias', true),
    projBias: ssmRead.boolean('bias', false),
    rmsNormEps: read.positiveNumber('norm_epsilon', 1e-5),
    bcdtRmsNorm: false,
    mixerRmsEps: DEFAULT_MIXER_RMS_EPS,
    tieEmbeddings: read.boolean('tie_embeddings', true),
    residualInFp32: read.boolean('residual_in_fp32', true),
    dtype: undefined,
    bosTokenId: undefined,
    eosTokenId: undefined,
    padTokenId: undefined,
  };
}

/**
 * Parses a checkpoint's config.json (already `JSON.parse`d, or its text) into a `MambaConfig`.
 * Accepts the Hugging Face `MambaConfig` and `FalconMambaConfig` formats and the original
 * state-spaces format.
 * @param file the file name for error messages
 */
export function parseMambaConfig(config: unknown, file = 'config.json'): MambaConfig {
  let json = config;
  if (typeof config === 'string') {
    try {
      json = parseJsonText(config);
    } catch (cause) {
      if (!(cause instanceof StrictJsonError)) throw cause;
      const message =
        cause.problem === 'too-deep'
          ? tooDeepMessage(file, cause, 'a Mamba config needs 2')
          : `${file} must be valid JSON (${cause.message})`;
      throw new ConfigError(`parseMambaConfig: ${message}`, file, undefined, { cause });
    }
  }
  if (!isObject(json)) {
    throw new ConfigError(
      `parseMambaConfig: ${file} must hold a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`,
      file,
    );
  }
  const modelType = json.model_type;
  if (modelType !== undefined && modelType !== 'mamba' && modelType !== 'falcon_mamba') {
    throw new ConfigError(
      `parseMambaConfig: model_type in ${file} must be "mamba" or "falcon_mamba", got ${describeJson(modelType)}. ` +
        'Only Mamba-1 models (MambaForCausalLM, FalconMambaForCausalLM) are supported.',
      file,
      'model_type',
    );
  }
  // FalconMamba exists in the Hugging Face format only: its keys are read as such (a missing
  // hidden_size is then reported by name).
  if (modelType === 'falcon_mamba') return parseHf(json, file, 'falcon_mamba');
  if (json.hidden_size !== undefined) return parseHf(json, file, 'mamba');
  if (json.d_model !== undefined) return parseOriginal(json, file);
  throw new ConfigError(
    `parseMambaConfig: ${file} must be a Hugging Face MambaConfig (hidden_size, num_hidden_layers, ...) or an original ` +
      'state-spaces config (d_model, n_layer, ...), got neither hidden_size nor d_model',
    file,
  );
}
