// Uploads a checkpoint's tensors to the GPU, one at a time (read, upload, drop): matrices stay in
// their checkpoint dtype (f16/bf16 packed two per u32, computed in f32); small vectors and
// A = -exp(A_log) are converted to f32 on the CPU once.

import { type GpuContext, Tensor, type DType } from '@mamba-webgpu/tensor';
import type { Checkpoint, LoadedTensor, LoadProgress } from '../loading/checkpoint.js';
import type { MambaConfig } from '../loading/config.js';
import { decodeToFloat32 } from '../loading/safetensors.js';
import { MambaModelError } from '../loading/errors.js';

export interface LayerWeights {
  norm: Tensor;
  inProj: Tensor;
  inProjBias: Tensor | undefined;
  /** (dInner, dConv) f32. */
  conv1dWeight: Tensor<'f32'>;
  conv1dBias: Tensor<'f32'> | undefined;
  xProj: Tensor;
  dtProj: Tensor;
  dtProjBias: Tensor<'f32'>;
  /** A = -exp(A_log): (dInner, dState) f32. */
  A: Tensor<'f32'>;
  D: Tensor<'f32'>;
  outProj: Tensor;
  outProjBias: Tensor | undefined;
}

export interface MambaWeights {
  embedding: Tensor;
  /** The LM head: the embedding itself when tied. */
  lmHead: Tensor;
  normF: Tensor;
  layers: LayerWeights[];
  /** Bytes on the GPU. */
  bytes: number;
}

const MATRIX_ROLES = new Set(['embedding', 'lmHead', 'inProj', 'xProj', 'dtProj', 'outProj']);

function upload(ctx: GpuContext, t: LoadedTensor, label: string): Tensor {
  if (MATRIX_ROLES.has(t.role) && (t.dtype === 'F16' || t.dtype === 'BF16')) {
    const dtype: DType = t.dtype === 'F16' ? 'f16' : 'bf16';
    // Raw 16-bit patterns, copied to an aligned array (the bytes may be an unaligned view).
    const halves = new Uint16Array(t.bytes.byteLength / 2);
    new Uint8Array(halves.buffer).set(t.bytes);
    return Tensor.fromArray(ctx, halves, t.shape, dtype, label);
  }
  let values = decodeToFloat32(t);
  let shape = t.shape;
  if (t.role === 'aLog') {
    const a = new Float32Array(values.length);
    for (let i = 0; i < a.length; i++) a[i] = -Math.exp(values[i]!);
    values = a;
  }
  if (t.role === 'conv1dWeight') shape = [t.shape[0]!, t.shape[2]!];
  return Tensor.fromArray(ctx, values, shape, 'f32', label);
}

/** Reads every tensor of `checkpoint` and uploads it. On failure, frees what was uploaded. */
export async function uploadWeights(
  ctx: GpuContext,
  checkpoint: Checkpoint,
  onProgress?: (p: LoadProgress) => void,
): Promise<MambaWeights> {
  const config: MambaConfig = checkpoint.config;
  const byKey = new Map<string, Tensor>();
  try {
    for await (const t of checkpoint.readTensors(onProgress ? { onProgress } : {})) {
      byKey.set(t.key, upload(ctx, t, `weights/${t.key}`));
    }
    const get = (key: string): Tensor => {
      const t = byKey.get(key);
      if (!t)
        throw new MambaModelError(
          `uploadWeights: tensor ${key} missing after load (checkpoint validation should have caught this)`,
        );
      return t;
    };
    const layers: LayerWeights[] = [];
    for (let i = 0; i < config.nLayer; i++) {
      const k = (name: string) => `layers.${i}.${name}`;
      layers.push({
        norm: get(k('norm')),
        inProj: get(k('inProj')),
        inProjBias: byKey.get(k('inProjBias')),
        conv1dWeight: get(k('conv1dWeight')) as Tensor<'f32'>,
        conv1dBias: byKey.get(k('conv1dBias')) as Tensor<'f32'> | undefined,
        xProj: get(k('xProj')),
        dtProj: get(k('dtProj')),
        dtProjBias: get(k('dtProjBias')) as Tensor<'f32'>,
        A: get(k('aLog')) as Tensor<'f32'>,
        D: get(k('d')) as Tensor<'f32'>,
        outProj: get(k('outProj')),
        outProjBias: byKey.get(k('outProjBias')),
      });
    }
    const embedding = get('embedding');
    let bytes = 0;
    for (const t of byKey.values()) bytes += t.byteLength;
    return { embedding, lmHead: byKey.get('lmHead') ?? embedding, normF: get('normF'), layers, bytes };
  } catch (error) {
    for (const t of byKey.values()) t.dispose();
    throw error;
  }
}

/** Frees every weight tensor. */
export function disposeWeights(w: MambaWeights): void {
  const seen = new Set<Tensor>();
  const all: (Tensor | undefined)[] = [w.embedding, w.lmHead, w.normF];
  for (const l of w.layers) all.push(...Object.values(l));
  for (const t of all) {
    if (t && !seen.has(t)) {
      seen.add(t);
      t.dispose();
    }
  }
}
