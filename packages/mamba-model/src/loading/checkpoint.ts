// Opens a Mamba checkpoint from any CheckpointStore: parses config.json, reads every shard's
// header, matches the tensors against the weight spec (presence, shape, dtype, vocab padding),
// then hands tensors out one at a time so the caller can upload each and drop it. Browser-safe.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import type { ByteSource } from './byte-source.js';
import { type MambaConfig, parseMambaConfig } from './config.js';
import { ConfigError, formatShape, SafetensorsError } from './errors.js';
import { describeJson, parseJsonText, StrictJsonError, tooDeepMessage } from './json.js';
import {
  readSafetensorsHeader,
  readTensorBytes,
  type SafetensorsEntry,
  type TensorBytes,
} from './safetensors.js';
import { type CheckpointStore, joinLocation } from './store.js';
import {
  detectNaming,
  type WeightNaming,
  type WeightRole,
  type WeightSpecEntry,
  weightSpec,
} from './weight-spec.js';

/**
 * Weight dtypes the model accepts; 16-bit ones stay packed on the GPU and are computed in f32,
 * F64 ones are rounded to f32 when read (with a warning).
 */
export type WeightDtype = 'F32' | 'F16' | 'BF16' | 'F64';

/**
 * Checkpoint embeddings may hold fewer than this many padding rows past the config's vocab size
 * (pad_vocab_size_multiple is at most 128 in practice). More is a `wrong-shape` error: so many
 * rows without a token mean the config does not belong to the weights (transformers refuses any
 * mismatch); padding the config does not declare is accepted with a warning.
 */
export const MAX_VOCAB_PADDING_ROWS = 128;

/** Something a checkpoint holds that the loader tolerates but the user should know about. */
export interface CheckpointWarning {
  /**
   * `unused-tensors`: stored tensors the config does not use (e.g. conv biases under
   * `use_conv_bias: false`), ignored as transformers ignores them; `vocab-padding`: embedding rows
   * past the config's vocab that the config does not declare as padding; `f64-weights`: F64
   * tensors, rounded to f32.
   */
  readonly kind: 'unused-tensors' | 'vocab-padding' | 'f64-weights';
  /** The message, starting with `openCheckpoint:`. */
  readonly message: string;
  /** The tensors concerned. */
  readonly tensors: readonly string[];
}

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** A tensor of the checkpoint, matched to the spec, not yet read. */
export interface CheckpointTensor {
  /** Canonical key (`embedding`, `layers.0.inProj`, ...). */
  readonly key: string;
  readonly role: WeightRole;
  readonly layer: number | undefined;
  /** Name in the file. */
  readonly name: string;
  /** The file that holds it (full path or URL). */
  readonly file: string;
  readonly dtype: WeightDtype;
  /** The shape as stored (the spec's, with padded vocab rows for embedding and lmHead). */
  readonly shape: readonly number[];
  readonly byteLength: number;
  readonly entry: SafetensorsEntry;
}

/** A tensor's bytes with its canonical key. */
export interface LoadedTensor extends TensorBytes {
  readonly key: string;
  readonly role: WeightRole;
  readonly layer: number | undefined;
  readonly dtype: WeightDtype;
}

/** Progress of `Checkpoint.readTensors`. */
export interface LoadProgress {
  readonly loadedBytes: number;
  readonly totalBytes: number;
  /** Key of the tensor just read. */
  readonly tensor: string;
  readonly tensorIndex: number;
  readonly tensorCount: number;
}

/** An opened, validated checkpoint. Close it when done. */
export interface Checkpoint {
  readonly location: string;
  /** The config, with `vocabSize` set to the embedding rows actually stored. */
  readonly config: MambaConfig;
  readonly naming: WeightNaming;
  /** Tensors to load, in spec order (no `lmHead` when embeddings are tied: use `embedding`). */
  readonly tensors: readonly CheckpointTensor[];
  /** Stored tensors the spec does not use (e.g. `lm_head.weight` of a tied checkpoint). */
  readonly unusedTensors: readonly string[];
  /** What the loader tolerated (also passed to `onWarning` when opening). */
  readonly warnings: readonly CheckpointWarning[];
  /** Bytes of all tensors in `tensors`. */
  readonly totalBytes: number;
  /** The files holding weights (one, or the shards). */
  readonly weightFiles: readonly string[];
  /** The matched tensor for a canonical key; throws for an unknown key. */
  tensor(key: string): CheckpointTensor;
  /** Whether the checkpoint has a tensor for a canonical key. */
  has(key: string): boolean;
  /** Reads one tensor's bytes. */
  readTensor(key: string): Promise<LoadedTensor>;
  /** Reads every tensor in file order, one at a time: upload each, then drop it. */
  readTensors(options?: { onProgress?: (progress: LoadProgress) => void }): AsyncGenerator<LoadedTensor>;
  /** The `tokenizer.json` beside the weights, or undefined when there is none. */
  readTokenizerJson(): Promise<string | undefined>;
  /** The `tokenizer_config.json` (chat template, special tokens), or undefined when there is none. */
  readTokenizerConfigJson(): Promise<string | undefined>;
  /** Closes every open file. Idempotent. */
  close(): Promise<void>;
}

/** Options of `openCheckpoint`. */
export interface OpenCheckpointOptions {
  /** Use this config instead of reading config.json. */
  config?: MambaConfig;
  /** Header size cap per file (see `readSafetensorsHeader`). */
  maxHeaderBytes?: number;
  /**
   * Called with each warning (unused tensors, undeclared vocab padding, F64 weights) while
   * opening; default `console.warn(warning.message)`, as transformers logs them.
   */
  onWarning?: (warning: CheckpointWarning) => void;
}

/** A file name in the index's folder: no separator, no control character (NUL ...). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const SHARD_NAME = /^[^/\\\u0000-\u001f\u007f]+$/;
/** NAME_MAX (255 UTF-8 bytes on most file systems) less the download's `.part` / `.lock` suffix. */
const MAX_SHARD_NAME_BYTES = 250;

/** Parses a `model.safetensors.index.json`: tensor name -> shard file name. */
export function parseSafetensorsIndex(text: string, file: string): Map<string, string> {
  const fn = 'parseSafetensorsIndex';
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (cause) {
    if (!(cause instanceof StrictJsonError)) throw cause;
    const message =
      cause.problem === 'too-deep'
        ? tooDeepMessage(file, cause, 'a safetensors index needs 2')
        : `${file} must be valid JSON (${cause.message})`;
    throw new SafetensorsError(`${fn}: ${message}`, 'bad-index', file, undefined, { cause });
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new SafetensorsError(
      `${fn}: ${file} must hold a "weight_map" object of tensor name -> shard file`,
      'bad-index',
      file,
    );
  }
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    const tooLong =
      typeof shard === 'string' && new TextEncoder().encode(shard).length > MAX_SHARD_NAME_BYTES;
    if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard === '.' || shard === '..' || tooLong) {
      throw new SafetensorsError(
        `${fn}: weight_map in ${file} must map ${tensor} to a file name in the same folder ` +
          `(no "/", "\\" or control character, at most ${MAX_SHARD_NAME_BYTES} bytes), got ${describeJson(shard)}`,
        'bad-index',
        file,
        tensor,
      );
    }
    out.set(tensor, shard);
  }
  if (out.size === 0) throw new SafetensorsError(`${fn}: weight_map in ${file} is empty`, 'bad-index', file);
  return out;
}

/**
 * A config that declares more layers than the file holds fails here, in one pass over the stored
 * names, before the weight spec (about ten entries per layer) is built for every declared layer:
 * a config of 10^6 layers used to cost seconds and gigabytes before the first missing tensor.
 */
function checkLayerCount(
  config: MambaConfig,
  entries: ReadonlyMap<string, SafetensorsEntry>,
  weightsLabel: string,
): void {
  let stored = 0;
  for (const name of entries.keys()) {
    const match = /^backbone\.layers\.(\d{1,9})\./.exec(name);
    if (match) stored = Math.max(stored, Number(match[1]) + 1);
  }
  if (config.nLayer <= stored) return;
  const name = `backbone.layers.${stored}.norm.weight`;
  throw new SafetensorsError(
    `openCheckpoint: the config declares ${config.nLayer} layers but ${weightsLabel} holds ${stored} ` +
      `(no ${name}). Check that config.json (num_hidden_layers / n_layer) belongs to these weights.`,
    'missing-tensor',
    weightsLabel,
    name,
  );
}

function isWeightDtype(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';
}

/** Matches stored entries against the spec; returns the tensors to load and the effective config. */
function matchSpec(
  config: MambaConfig,
  entries: ReadonlyMap<string, SafetensorsEntry>,
  naming: WeightNaming,
  weightsLabel: string,
): { tensors: CheckpointTensor[]; config: MambaConfig; unused: string[]; warnings: CheckpointWarning[] } {
  const fn = 'openCheckpoint';
  const used = new Set<string>();
  const tensors: CheckpointTensor[] = [];
  let vocabRows: number | undefined;
  checkLayerCount(config, entries, weightsLabel);
  for (const spec of weightSpec(config)) {
    const name = spec.names[naming];
    const entry = entries.get(name);
    if (spec.role === 'lmHead' && config.tieEmbeddings) continue; // tied: the embedding serves as LM head
    if (entry === undefined) {
      if (!spec.required) continue;
      throw new SafetensorsError(
        `${fn}: ${weightsLabel} must hold tensor ${name} ${spec.legend} = ${formatShape(spec.shape)}, it is missing. ` +
          (spec.role === 'lmHead'
            ? 'The config unties embeddings (tie_word_embeddings false) but there is no LM head.'
            : 'Check that config.json belongs to these weights.'),
        'missing-tensor',
        weightsLabel,
        name,
      );
    }
    used.add(name);
    checkShape(spec, entry, config);
    if (spec.vocabRows) {
      const rows = entry.shape[0]!;
      if (vocabRows !== undefined && rows !== vocabRows) {
        throw new SafetensorsError(
          `${fn}: tensor ${name} in ${entry.file} must have as many rows as the embedding (${vocabRows}), got ${formatShape(entry.shape)}`,
          'wrong-shape',
          entry.file,
          name,
        );
      }
      vocabRows = rows;
    }
    if (!isWeightDtype(entry.dtype)) {
      throw new SafetensorsError(
        `${fn}: tensor ${name} in ${entry.file} must be F32, F16 or BF16, got ${entry.dtype}. Convert the checkpoint to one of these.`,
        'unsupported-dtype',
        entry.file,
        name,
      );
    }
    tensors.push({
      key: spec.key,
      role: spec.role,
      layer: spec.layer,
      name,
      file: entry.file,
      dtype: entry.dtype,
      shape: entry.shape,
      byteLength: entry.byteLength,
      entry,
    });
  }
  const unused = [...entries.keys()].filter((name) => !used.has(name));
  const matched = { ...config, vocabSize: vocabRows ?? config.vocabSize };
  return {
    tensors,
    config: matched,
    unused,
    warnings: warningsOf(config, matched, tensors, unused, weightsLabel),
  };
}

/** Up to five names, then how many more. */
function listNames(names: readonly string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? `, ... (${names.length - 5} more)` : '');
}

/** The config key (as the file spells it) of a bias flag. */
function biasKey(config: MambaConfig, which: 'conv' | 'proj'): string {
  if (config.format === 'hf') return which === 'conv' ? 'use_conv_bias' : 'use_bias';
  return which === 'conv' ? 'ssm_cfg.conv_bias' : 'ssm_cfg.bias';
}

/** What `matchSpec` tolerated: unused tensors (a tied head aside), undeclared padding, F64. */
function warningsOf(
  config: MambaConfig,
  matched: MambaConfig,
  tensors: readonly CheckpointTensor[],
  unused: readonly string[],
  weightsLabel: string,
): CheckpointWarning[] {
  const fn = 'openCheckpoint';
  const warnings: CheckpointWarning[] = [];
  // A tied checkpoint may store its LM head (the original format does); transformers ties it silently.
  const ignored = unused.filter((name) => !(config.tieEmbeddings && name === 'lm_head.weight'));
  if (ignored.length > 0) {
    const hints: string[] = [];
    const convBiases = ignored.filter((n) => n.endsWith('.mixer.conv1d.bias'));
    const projBiases = ignored.filter((n) => /\.mixer\.(in|out)_proj\.bias$/.test(n));
    if (!config.convBias && convBiases.length > 0) {
      hints.push(
        `${biasKey(config, 'conv')} is false in the config, so the ${convBiases.length} conv1d biases are not used; ` +
          `set ${biasKey(config, 'conv')}: true if the model was trained with them`,
      );
    }
    if (!config.projBias && projBiases.length > 0) {
      hints.push(
        `${biasKey(config, 'proj')} is false in the config, so the ${projBiases.length} in_proj/out_proj biases are not used; ` +
          `set ${biasKey(config, 'proj')}: true if the model was trained with them`,
      );
    }
    warnings.push({
      kind: 'unused-tensors',
      message:
        `${fn}: ${weightsLabel} holds ${ignored.length} tensor(s) the config does not use, ignored (as transformers does): ` +
        `${listNames(ignored)}.${hints.length > 0 ? ` ${hints.join('; ')}.` : ''}`,
      tensors: ignored,
    });
  }
  if (matched.vocabSize > config.vocabSize) {
    const embedding = tensors.find((t) => t.role === 'embedding')!;
    const extra = matched.vocabSize - config.vocabSizeUnpadded;
    warnings.push({
      kind: 'vocab-padding',
      message:
        `${fn}: ${embedding.name} has ${matched.vocabSize} rows for a vocab of ${config.vocabSizeUnpadded} in the config: ` +
        `the ${extra} extra row(s) are taken as vocabulary padding (ids ${config.vocabSizeUnpadded}..${matched.vocabSize - 1} ` +
        'have no token). Set the vocab size (or pad_vocab_size_multiple) in the config to match.',
      tensors: [embedding.name],
    });
  }
  const f64 = tensors.filter((t) => t.dtype === 'F64').map((t) => t.name);
  if (f64.length > 0) {
    warnings.push({
      kind: 'f64-weights',
      message:
        `${fn}: ${f64.length} tensor(s) of ${weightsLabel} are F64 (${listNames(f64)}); they are rounded to f32, the ` +
        'compute dtype. Save the checkpoint as f32 to skip the conversion.',
      tensors: f64,
    });
  }
  return warnings;
}

function checkShape(spec: WeightSpecEntry, entry: SafetensorsEntry, config: MambaConfig): void {
  const got = entry.shape;
  const sameRank = got.length === spec.shape.length;
  const tailMatches = sameRank && spec.shape.every((dim, i) => i === 0 || got[i] === dim);
  let ok = tailMatches && got[0] === spec.shape[0];
  if (tailMatches && spec.vocabRows && !ok) {
    const rows = got[0]!;
    ok = rows >= config.vocabSizeUnpadded && rows < config.vocabSizeUnpadded + MAX_VOCAB_PADDING_ROWS;
  }
  if (tailMatches && spec.vocabRows && !ok && got[0]! >= config.vocabSizeUnpadded + MAX_VOCAB_PADDING_ROWS) {
    throw new SafetensorsError(
      `openCheckpoint: tensor ${entry.name} in ${entry.file} has ${got[0]} rows, ${got[0]! - config.vocabSizeUnpadded} more than ` +
        `the vocab size ${config.vocabSizeUnpadded} of the config: that is not padding (at most ${MAX_VOCAB_PADDING_ROWS - 1} rows). ` +
        `Set the vocab size in config.json to ${got[0]} if those rows are tokens, or use the config.json of these weights.`,
      'wrong-shape',
      entry.file,
      entry.name,
    );
  }
  if (!ok) {
    const vocabNote = spec.vocabRows
      ? ` (rows may be padded: ${config.vocabSizeUnpadded} to ${config.vocabSizeUnpadded + MAX_VOCAB_PADDING_ROWS - 1})`
      : '';
    throw new SafetensorsError(
      `openCheckpoint: tensor ${entry.name} in ${entry.file} must be ${spec.legend} = ${formatShape(spec.shape)}${vocabNote}, ` +
        `got ${formatShape(got)}. Check that config.json belongs to these weights.`,
      'wrong-shape',
      entry.file,
      entry.name,
    );
  }
}

/**
 * Opens a checkpoint: config.json, then model.safetensors or model.safetensors.index.json and its
 * shards. Reads headers only; every expected tensor is checked for presence, shape and dtype.
 */
export async function openCheckpoint(
  store: CheckpointStore,
  options: OpenCheckpointOptions = {},
): Promise<Checkpoint> {
  const fn = 'openCheckpoint';
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new InvalidArgumentError(
      `${fn}: onWarning must be a function (warning) => void, got ${typeof options.onWarning}`,
      'onWarning',
    );
  }
  const sources = new Map<string, ByteSource>();
  const closeAll = async () => {
    const all = [...sources.values()];
    sources.clear();
    await Promise.allSettled(all.map((s) => s.close?.()));
  };
  try {
    let config = options.config;
    if (config === undefined) {
      const configLabel = joinLocation(store.location, CONFIG_FILE);
      const text = await store.readText(CONFIG_FILE);
      if (text === undefined) {
        throw new ConfigError(
          `${fn}: ${store.location} must hold ${CONFIG_FILE}, it is missing`,
          configLabel,
        );
      }
      config = parseMambaConfig(text, configLabel);
    }

    // Single file first (as transformers does), else the index and its shards.
    let weightsLabel = joinLocation(store.location, WEIGHTS_FILE);
    let index: Map<string, string> | undefined;
    let shardFiles: string[];
    const single = await store.open(WEIGHTS_FILE);
    if (single !== undefined) {
      sources.set(WEIGHTS_FILE, single);
      shardFiles = [WEIGHTS_FILE];
    } else {
      const indexText = await store.readText(WEIGHTS_INDEX_FILE);
      if (indexText === undefined) {
        throw new SafetensorsError(
          `${fn}: ${store.location} must hold ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}, found neither. ` +
            'Only safetensors checkpoints are read: convert pytorch_model.bin with safetensors, or use a "-hf" repo.',
          'missing-file',
          weightsLabel,
        );
      }
      weightsLabel = joinLocation(store.location, WEIGHTS_INDEX_FILE);
      index = parseSafetensorsIndex(indexText, weightsLabel);
      shardFiles = [...new Set(index.values())];
      for (const shard of shardFiles) {
        const source = await store.open(shard);
        if (source === undefined) {
          throw new SafetensorsError(
            `${fn}: ${weightsLabel} names shard ${shard}, which is missing from ${store.location}. Download it again.`,
            'missing-file',
            joinLocation(store.location, shard),
          );
        }
        sources.set(shard, source);
      }
    }

    const entries = new Map<string, SafetensorsEntry>();
    const shardOf = new Map<string, string>();
    for (const shard of shardFiles) {
      const source = sources.get(shard)!;
      const header = await readSafetensorsHeader(source, { maxHeaderBytes: options.maxHeaderBytes });
      for (const entry of header.tensors.values()) {
        const previous = entries.get(entry.name);
        if (previous !== undefined) {
          throw new SafetensorsError(
            `${fn}: tensor ${entry.name} is stored twice, in ${previous.file} and in ${entry.file}. The shards are inconsistent.`,
            'duplicate-tensor',
            entry.file,
            entry.name,
          );
        }
        entries.set(entry.name, entry);
        shardOf.set(entry.name, shard);
      }
    }
    if (index !== undefined) {
      for (const [tensor, shard] of index) {
        if (shardOf.get(tensor) !== shard) {
          throw new SafetensorsError(
            `${fn}: ${weightsLabel} puts tensor ${tensor} in ${shard}, but ${shard} does not hold it` +
              (shardOf.has(tensor) ? ` (${shardOf.get(tensor)} does)` : '') +
              '. The index and shards do not match: download them again.',
            'bad-index',
            weightsLabel,
            tensor,
          );
        }
      }
    }

    const naming = detectNaming(entries.keys(), weightsLabel);
    const matched = matchSpec(config, entries, naming, weightsLabel);
    const onWarning = options.onWarning ?? ((warning: CheckpointWarning) => console.warn(warning.message));
    for (const warning of matched.warnings) onWarning(warning);
    const byKey = new Map(matched.tensors.map((t) => [t.key, t]));
    const sourceOf = (tensor: CheckpointTensor): ByteSource => {
      const source = sources.get(shardOf.get(tensor.name)!);
      if (source === undefined)
        throw new SafetensorsError(
          `${fn}: the checkpoint at ${store.location} is closed`,
          'io',
          tensor.file,
          tensor.name,
        );
      return source;
    };
    const read = async (tensor: CheckpointTensor): Promise<LoadedTensor> => {
      const bytes = await readTensorBytes(sourceOf(tensor), tensor.entry);
      return { ...bytes, key: tensor.key, role: tensor.role, layer: tensor.layer, dtype: tensor.dtype };
    };
    const tensorOf = (key: string): CheckpointTensor => {
      const tensor = byKey.get(key);
      if (tensor === undefined) {
        throw new InvalidArgumentError(
          `Checkpoint.tensor: expected a canonical key (${[...byKey.keys()].slice(0, 3).join(', ')}, ...), got ${describeJson(key)}`,
          'key',
        );
      }
      return tensor;
    };
    const fileOrder = new Map(shardFiles.map((f, i) => [f, i]));

    return {
      location: store.location,
      config: matched.config,
      naming,
      tensors: matched.tensors,
      unusedTensors: matched.unused,
      warnings: matched.warnings,
      totalBytes: matched.tensors.reduce((sum, t) => sum + t.byteLength, 0),
      weightFiles: shardFiles.map((f) => joinLocation(store.location, f)),
      tensor: tensorOf,
      has: (key) => byKey.has(key),
      readTensor: async (key) => read(tensorOf(key)),
      async *readTensors(readOptions = {}) {
        const ordered = [...matched.tensors].sort(
          (a, b) =>
            fileOrder.get(shardOf.get(a.name)!)! - fileOrder.get(shardOf.get(b.name)!)! ||
            a.entry.byteOffset - b.entry.byteOffset,
        );
        const totalBytes = ordered.reduce((sum, t) => sum + t.byteLength, 0);
        let loadedBytes = 0;
        for (const [tensorIndex, tensor] of ordered.entries()) {
          const loaded = await read(tensor);
          loadedBytes += tensor.byteLength;
          readOptions.onProgress?.({
            loadedBytes,
            totalBytes,
            tensor: tensor.key,
            tensorIndex,
            tensorCount: ordered.length,
          });
          yield loaded;
        }
      },
      readTokenizerJson: () => store.readText(TOKENIZER_FILE),
      readTokenizerConfigJson: () => store.readText(TOKENIZER_CONFIG_FILE),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
