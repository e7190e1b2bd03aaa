// The training oracle of mamba-tiny (test/fixtures/train/mamba-tiny/train_expected.safetensors,
// made with torch.optim.AdamW, see the shared fixtures README) and the checkpoint it starts
// from, read to host arrays by HF name.

import { bytesSource } from '../../src/loading/byte-source.js';
import { openLocalCheckpoint } from '../../src/loading/node-folder-store.js';
import type { MambaConfig } from '../../src/loading/config.js';
import { decodeToFloat32, readAllTensors, readSafetensorsHeader } from '../../src/loading/safetensors.js';
import { fixtureBytes, fixturePath } from '../loading/helpers.js';

/** A host tensor: f32 values and a shape. */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** The oracle: first-step gradients, per-step gradient norms and losses, its settings. */
export interface TrainOracle {
  readonly grads: Map<string, HostTensor>;
  readonly after: Map<string, HostTensor>;
  readonly gradNorms: Float32Array;
  readonly losses: Float32Array;
  readonly metadata: Readonly<Record<string, string>>;
}

export async function readTrainOracle(): Promise<TrainOracle> {
  const source = bytesSource(
    fixtureBytes('train/mamba-tiny/train_expected.safetensors'),
    'train_expected.safetensors',
  );
  const { metadata } = await readSafetensorsHeader(source);
  const tensors = await readAllTensors(source);
  const prefixed = (prefix: string) =>
    new Map(
      [...tensors.values()]
        .filter((t) => t.name.startsWith(prefix))
        .map((t) => [t.name.slice(prefix.length), { data: decodeToFloat32(t), shape: t.shape }]),
    );
  return {
    grads: prefixed('grad.'),
    after: prefixed('after.'),
    gradNorms: decodeToFloat32(tensors.get('grad_norms')!),
    losses: decodeToFloat32(tensors.get('losses')!),
    metadata,
  };
}

/** The mamba-tiny checkpoint's parameters by HF name (file order), with its config. */
export async function readTinyParams(
  dir = fixturePath('mamba-tiny'),
): Promise<{ config: MambaConfig; params: Map<string, HostTensor> }> {
  const checkpoint = await openLocalCheckpoint(dir);
  try {
    const params = new Map<string, HostTensor>();
    for await (const t of checkpoint.readTensors())
      params.set(t.name, { data: decodeToFloat32(t), shape: t.shape });
    return { config: checkpoint.config, params };
  } finally {
    await checkpoint.close();
  }
}
