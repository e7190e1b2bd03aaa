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

/** Weight dtypes the model accepts; 16-bit ones stay packed on the GPU and are computed in f32. */
export type WeightDtype = 'F32' | 'F16' | 'BF16';

/** Checkpoint embeddings may hold up to this many padding rows past the config's vocab size. */
export const MAX_VOCAB_PADDING_ROWS = 1024;

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
}

const SHARD_NAME = /^[^/\\]+$/;

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
    if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard === '.' || shard === '..') {
      throw new SafetensorsError(
        `${fn}: weight_map in ${file} must map ${tensor} to a file name in the same folder, got ${describeJson(shard)}`,
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

function isWeightDtype(dtype: string): dtype is WeightDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/** Matches stored entries against the spec; returns the tensors to load and the effective config. */
function matchSpec(
  config: MambaConfig,
  entries: ReadonlyMap<string, SafetensorsEntry>,
  naming: WeightNaming,
  weightsLabel: string,
): { tensors: CheckpointTensor[]; config: MambaConfig; unused: string[] } {
  const fn = 'openCheckpoint';
  const used = new Set<string>();
  const tensors: CheckpointTensor[] = [];
  let vocabRows: number | undefined;
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
  return { tensors, config: { ...config, vocabSize: vocabRows ?? config.vocabSize }, unused };
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
