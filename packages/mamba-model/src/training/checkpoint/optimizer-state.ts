// AdamW's state for resuming a run, on the host, and its file `optimizer.safetensors`: the
// moments as `exp_avg.<param>` / `exp_avg_sq.<param>` (f32, bit exact), the step count and the
// hyper-parameters in `__metadata__`. Platform-neutral (bytes in, bytes out).

import type { ByteSource } from '../../loading/byte-source.js';
import { formatShape, SafetensorsError } from '../../loading/errors.js';
import { decodeToFloat32, readAllTensors, readSafetensorsHeader } from '../../loading/safetensors.js';
import { type SafetensorsTensor, serializeSafetensors } from '../../loading/safetensors-writer.js';
import { describeJson } from '../../loading/json.js';

/** The file name of the optimizer state beside a checkpoint. */
export const OPTIMIZER_STATE_FILE = 'optimizer.safetensors';

/** Written to the metadata's `format_version`; files of other versions are refused. */
export const OPTIMIZER_STATE_VERSION = '1';

/** One parameter's moments. */
export interface OptimizerStateEntry {
  readonly shape: readonly number[];
  readonly expAvg: Float32Array;
  readonly expAvgSq: Float32Array;
}

/** The hyper-parameters a state was saved with (informative: a resumed run should use them). */
export interface OptimizerHyperParameters {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** The no-decay rule: comma-separated name substrings, or `custom`. */
  readonly noDecay: string;
}

/** AdamW's state: steps taken, each parameter's moments, the hyper-parameters. */
export interface OptimizerState {
  readonly step: number;
  readonly params: ReadonlyMap<string, OptimizerStateEntry>;
  readonly hyper: OptimizerHyperParameters;
}

/** `state` as the bytes of an `optimizer.safetensors` file. */
export function serializeOptimizerState(state: OptimizerState): Uint8Array {
  const tensors: SafetensorsTensor[] = [];
  for (const [name, entry] of state.params) {
    tensors.push({ name: `exp_avg.${name}`, dtype: 'F32', shape: entry.shape, data: entry.expAvg });
    tensors.push({ name: `exp_avg_sq.${name}`, dtype: 'F32', shape: entry.shape, data: entry.expAvgSq });
  }
  const { hyper } = state;
  return serializeSafetensors(tensors, {
    optimizer: 'AdamW',
    format_version: OPTIMIZER_STATE_VERSION,
    step: String(state.step),
    lr: String(hyper.lr),
    betas: hyper.betas.join(','),
    eps: String(hyper.eps),
    weight_decay: String(hyper.weightDecay),
    no_decay_substrings: hyper.noDecay,
  });
}

function bad(
  message: string,
  file: string,
  reason: SafetensorsError['reason'] = 'bad-header',
  tensor?: string,
): never {
  throw new SafetensorsError(`readOptimizerState: ${message}`, reason, file, tensor);
}

function metadataNumber(metadata: Readonly<Record<string, string>>, key: string, file: string): number {
  const value = Number(metadata[key]);
  if (metadata[key] === undefined || !Number.isFinite(value)) {
    bad(`__metadata__ of ${file} must hold ${key} as a number, got ${describeJson(metadata[key])}`, file);
  }
  return value;
}

/** Reads an `optimizer.safetensors` file (see `serializeOptimizerState`). */
export async function readOptimizerState(source: ByteSource): Promise<OptimizerState> {
  const file = source.name;
  const { metadata } = await readSafetensorsHeader(source);
  if (metadata.optimizer !== 'AdamW' || metadata.format_version !== OPTIMIZER_STATE_VERSION) {
    bad(
      `${file} must be an AdamW state of format_version ${OPTIMIZER_STATE_VERSION}, got optimizer ${describeJson(metadata.optimizer)} version ${describeJson(metadata.format_version)}`,
      file,
    );
  }
  const step = metadataNumber(metadata, 'step', file);
  if (!Number.isSafeInteger(step) || step < 0)
    bad(`step in ${file} must be an integer >= 0, got ${step}`, file);
  const betas = (metadata.betas ?? '').split(',').map(Number);
  if (betas.length !== 2 || !betas.every(Number.isFinite)) {
    bad(`betas in ${file} must be two numbers, got ${describeJson(metadata.betas)}`, file);
  }
  const tensors = await readAllTensors(source);
  const params = new Map<string, OptimizerStateEntry>();
  for (const [name, tensor] of tensors) {
    if (name.startsWith('exp_avg_sq.')) continue;
    if (!name.startsWith('exp_avg.'))
      bad(`${file} holds ${name}, expected only exp_avg.* and exp_avg_sq.*`, file, 'bad-entry', name);
    const param = name.slice('exp_avg.'.length);
    const squared = tensors.get(`exp_avg_sq.${param}`);
    if (squared === undefined)
      bad(`${file} must hold exp_avg_sq.${param} beside ${name}`, file, 'missing-tensor', name);
    if (squared.shape.join() !== tensor.shape.join()) {
      bad(
        `exp_avg_sq.${param} in ${file} must be ${formatShape(tensor.shape)} like exp_avg.${param}, got ${formatShape(squared.shape)}`,
        file,
        'wrong-shape',
        `exp_avg_sq.${param}`,
      );
    }
    for (const t of [tensor, squared]) {
      if (t.dtype !== 'F32')
        bad(`${t.name} in ${file} must be F32, got ${t.dtype}`, file, 'unsupported-dtype', t.name);
    }
    params.set(param, {
      shape: tensor.shape,
      expAvg: decodeToFloat32(tensor),
      expAvgSq: decodeToFloat32(squared),
    });
  }
  for (const name of tensors.keys()) {
    if (name.startsWith('exp_avg_sq.') && !tensors.has(`exp_avg.${name.slice('exp_avg_sq.'.length)}`)) {
      bad(
        `${file} must hold exp_avg.${name.slice('exp_avg_sq.'.length)} beside ${name}`,
        file,
        'missing-tensor',
        name,
      );
    }
  }
  return {
    step,
    params,
    hyper: {
      lr: metadataNumber(metadata, 'lr', file),
      betas: betas as [number, number],
      eps: metadataNumber(metadata, 'eps', file),
      weightDecay: metadataNumber(metadata, 'weight_decay', file),
      noDecay: metadata.no_decay_substrings ?? '',
    },
  };
}
