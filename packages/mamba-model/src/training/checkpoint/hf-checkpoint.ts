// A Hugging Face checkpoint's files from a config and named tensors (platform-neutral): the
// tensors matched against the weight spec (HF names or canonical keys; the tied embedding stored
// once as `backbone.embeddings.weight`), `config.json`, and `model.safetensors` as lazy chunks so
// a writer reads one GPU tensor at a time. `saveCheckpoint` (node) writes them atomically.

import { formatShape, InvalidArgumentError, ShapeError, Tensor } from '@mamba-webgpu/tensor';
import type { ConfigDtype, MambaConfig } from '../../loading/config.js';
import { hfConfigJson } from '../../loading/config-json.js';
import {
  type LazySafetensorsTensor,
  planSafetensors,
  safetensorsChunks,
  type WritableDtype,
} from '../../loading/safetensors-writer.js';
import { weightSpec } from '../../loading/weight-spec.js';
import { type Named, namedEntries } from '../named.js';
import { describeJson } from '../../loading/json.js';

/** A tensor to save: a GPU tensor (read when the writer reaches it) or host values and a shape. */
export type SavableTensor =
  | Tensor
  | { readonly data: Float32Array | Float64Array; readonly shape: readonly number[] };

/** Options of `checkpointFiles` / `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** The weights' dtype in the file (training keeps f32 masters); default `f32`. */
  dtype?: 'f32' | 'f16' | 'bf16';
  /** The HF config.json object the model came with: its other keys are kept (see hfConfigJson). */
  baseConfig?: Readonly<Record<string, unknown>>;
  /** Extra `__metadata__` of model.safetensors (`format: pt` is always written, as transformers needs). */
  metadata?: Readonly<Record<string, string>>;
}

/** The files of a checkpoint, ready to write. */
export interface CheckpointFiles {
  /** `config.json`'s text. */
  readonly config: string;
  /** `model.safetensors`: its size and its bytes as chunks (header, then one tensor at a time). */
  readonly weights: { readonly byteLength: number; chunks(): AsyncGenerator<Uint8Array> };
}

const DTYPES: Record<NonNullable<SaveCheckpointOptions['dtype']>, [WritableDtype, ConfigDtype]> = {
  f32: ['F32', 'float32'],
  f16: ['F16', 'float16'],
  bf16: ['BF16', 'bfloat16'],
};

/** Shapes equal once size-1 dims are dropped (conv1d weight (dInner, dConv) vs (dInner, 1, dConv)). */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  const squeeze = (s: readonly number[]) => s.filter((d) => d !== 1).join();
  return a.length === b.length ? a.every((d, i) => d === b[i]) : squeeze(a) === squeeze(b);
}

/**
 * The files of an HF checkpoint of `config` holding `tensors` (named by HF name, like
 * `backbone.layers.0.mixer.in_proj.weight`, or canonical key, like `layers.0.inProj`; `A_log`
 * holds A_log, not A). Every tensor the spec requires must be given, each of its spec shape
 * (size-1 dims may be missing); unknown names are refused. Tensors are read only when written.
 */
export function checkpointFiles(
  config: MambaConfig,
  tensors: Named<SavableTensor>,
  options: SaveCheckpointOptions = {},
): CheckpointFiles {
  const fn = 'saveCheckpoint';
  const dtypeOption = options.dtype ?? 'f32';
  if (!Object.hasOwn(DTYPES, dtypeOption)) {
    throw new InvalidArgumentError(
      `${fn}: dtype must be f32, f16 or bf16, got ${describeJson(dtypeOption)}`,
      'dtype',
    );
  }
  const [dtype, configDtype] = DTYPES[dtypeOption];
  const spec = weightSpec(config);
  const byName = new Map<string, (typeof spec)[number]>();
  for (const entry of spec) {
    for (const name of [entry.names.hf, entry.names.original, entry.key]) byName.set(name, entry);
  }
  const given = new Map<string, SavableTensor>();
  for (const [name, tensor] of namedEntries(tensors)) {
    const entry = byName.get(name);
    if (entry === undefined) {
      throw new InvalidArgumentError(
        `${fn}: tensor ${name} is not part of a Mamba checkpoint of this config (expected names like ${spec[1]!.names.hf} or keys like ${spec[1]!.key})`,
        'tensors',
      );
    }
    if (given.has(entry.key))
      throw new InvalidArgumentError(
        `${fn}: tensor ${entry.names.hf} is given twice (as ${name})`,
        'tensors',
      );
    given.set(entry.key, tensor);
  }
  const lazy: LazySafetensorsTensor[] = [];
  for (const entry of spec) {
    const tensor = given.get(entry.key);
    if (entry.role === 'lmHead' && config.tieEmbeddings) {
      if (tensor !== undefined && tensor !== given.get('embedding')) {
        throw new InvalidArgumentError(
          `${fn}: the config ties embeddings, so lm_head.weight must be the embedding tensor itself (or left out); got a different tensor`,
          'tensors',
        );
      }
      continue;
    }
    if (tensor === undefined) {
      if (!entry.required) continue;
      throw new InvalidArgumentError(
        `${fn}: tensors must hold ${entry.names.hf} ${entry.legend}, it is missing`,
        'tensors',
      );
    }
    const shape = tensor instanceof Tensor ? tensor.shape : tensor.shape;
    const numel = shape.reduce((a, b) => a * b, 1);
    if (!sameShape(shape, entry.shape) || (!(tensor instanceof Tensor) && tensor.data.length !== numel)) {
      throw new ShapeError(
        `${fn}: ${entry.names.hf} must be ${entry.legend} = ${formatShape(entry.shape)}, got ${formatShape(shape)}` +
          (tensor instanceof Tensor ? '' : ` holding ${tensor.data.length} values`),
      );
    }
    if (tensor instanceof Tensor) {
      if (tensor.isDisposed)
        throw new InvalidArgumentError(
          `${fn}: ${entry.names.hf} ('${tensor.label}') was disposed`,
          'tensors',
        );
      tensor.expectDType(fn, entry.names.hf, 'f32', 'f16', 'bf16');
    }
    lazy.push({
      name: entry.names.hf,
      dtype,
      shape: entry.shape,
      data: async () => (tensor instanceof Tensor ? ((await tensor.read()) as Float32Array) : tensor.data),
    });
  }
  const metadata = { ...options.metadata, format: 'pt' };
  const configJson = hfConfigJson(config, { dtype: configDtype, base: options.baseConfig });
  return {
    config: `${JSON.stringify(configJson, null, 2)}\n`,
    weights: {
      byteLength: planSafetensors(lazy, metadata).byteLength,
      chunks: () => safetensorsChunks(lazy, metadata),
    },
  };
}
