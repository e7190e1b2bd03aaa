// Uploads a checkpoint's tensors to the GPU, one at a time (read, upload, drop): matrices stay in
// their checkpoint dtype (f16/bf16 packed two per u32, computed in f32) or take the dtype asked
// for (f32, f16, bf16, or q8/q4 blocks quantized on the GPU as each tensor passes, never the
// whole model in f32); small vectors and A = -exp(A_log) are converted to f32 on the CPU once.

import { type GpuContext, Tensor, type DType, byteLength, quantizeTensor } from '@mamba-webgpu/tensor';
import type { Checkpoint, CheckpointTensor, LoadedTensor, LoadProgress } from '../loading/checkpoint.js';
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

/**
 * The storage dtype of the matrices (embedding / LM head, in_proj, x_proj, dt_proj, out_proj):
 * the checkpoint's own (f32, f16, bf16), or quantized at load into 32-element blocks: `q8`
 * (symmetric int8, f32 scale: 1.125 bytes per weight) or `q4` (4-bit with f16 scale and minimum:
 * 0.625 bytes per weight). Every other tensor (A_log, D, conv weights and biases, norm weights,
 * biases) stays f32: together about 1% of the bytes, and the ones the recurrence is most
 * sensitive to (A enters exp(delta * A) at every step, D and the norms scale every activation).
 */
export type WeightDType = 'f32' | 'f16' | 'bf16' | 'q8' | 'q4';

/** The values `dtype` accepts, in order of size. */
export const WEIGHT_DTYPES: readonly WeightDType[] = ['f32', 'bf16', 'f16', 'q8', 'q4'];

const MATRIX_ROLES = new Set(['embedding', 'lmHead', 'inProj', 'xProj', 'dtProj', 'outProj']);

/** The GPU dtype of a checkpoint tensor under `dtype` (undefined: the checkpoint's own). */
function gpuDType(t: { role: string; dtype: string }, dtype: WeightDType | undefined): DType {
  if (!MATRIX_ROLES.has(t.role)) return 'f32';
  if (dtype) return dtype;
  return t.dtype === 'F16' ? 'f16' : t.dtype === 'BF16' ? 'bf16' : 'f32';
}

/** What a checkpoint's weights need on the GPU in one dtype. */
export interface WeightPlan {
  readonly dtype: WeightDType | undefined;
  /** Bytes of every weight buffer. */
  readonly totalBytes: number;
  /** The largest single tensor (one buffer). */
  readonly largest: { readonly key: string; readonly bytes: number };
}

/** The GPU bytes of `tensors` stored under `dtype` (undefined: the checkpoint's own dtypes). */
export function planWeights(tensors: readonly CheckpointTensor[], dtype?: WeightDType): WeightPlan {
  let totalBytes = 0;
  let largest = { key: '', bytes: 0 };
  for (const t of tensors) {
    let numel = 1;
    for (const d of t.shape) numel *= d;
    const bytes = Math.max(4, byteLength(gpuDType(t, dtype), numel));
    totalBytes += bytes;
    if (bytes > largest.bytes) largest = { key: t.key, bytes };
  }
  return { dtype, totalBytes, largest };
}

function upload(ctx: GpuContext, t: LoadedTensor, label: string, dtype: WeightDType | undefined): Tensor {
  const target = gpuDType(t, dtype);
  const stored = t.dtype === 'F16' ? 'f16' : t.dtype === 'BF16' ? 'bf16' : undefined;
  if (target === 'q8' || target === 'q4') {
    // Quantized on the GPU from the tensor as stored (seconds for a 2.8b model; JS takes minutes).
    using staged = stored
      ? uploadHalves(ctx, t, stored, `${label}/staged`)
      : Tensor.fromArray(ctx, decodeToFloat32(t), t.shape, 'f32', `${label}/staged`);
    return quantizeTensor(staged, target, { label });
  }
  if (target === stored) return uploadHalves(ctx, t, stored, label);
  // Decoded to f32, then stored as `target` (rounded to f16/bf16 on upload).
  let values = decodeToFloat32(t);
  let shape = t.shape;
  if (t.role === 'aLog') {
    const a = new Float32Array(values.length);
    for (let i = 0; i < a.length; i++) a[i] = -Math.exp(values[i]!);
    values = a;
  }
  if (t.role === 'conv1dWeight') shape = [t.shape[0]!, t.shape[2]!];
  return Tensor.fromArray(ctx, values, shape, target, label);
}

/** A 16-bit tensor uploaded as its raw patterns. */
function uploadHalves(ctx: GpuContext, t: LoadedTensor, dtype: 'f16' | 'bf16', label: string): Tensor {
  // Copied to an aligned array (the bytes may be an unaligned view).
  const halves = new Uint16Array(t.bytes.byteLength / 2);
  new Uint8Array(halves.buffer).set(t.bytes);
  return Tensor.fromArray(ctx, halves, t.shape, dtype, label);
}

/**
 * Reads every tensor of `checkpoint` and uploads it, the matrices in `dtype` (default: as stored).
 * On failure, frees what was uploaded.
 */
export async function uploadWeights(
  ctx: GpuContext,
  checkpoint: Checkpoint,
  onProgress?: (p: LoadProgress) => void,
  dtype?: WeightDType,
): Promise<MambaWeights> {
  const config: MambaConfig = checkpoint.config;
  const byKey = new Map<string, Tensor>();
  try {
    for await (const t of checkpoint.readTensors(onProgress ? { onProgress } : {})) {
      byKey.set(t.key, upload(ctx, t, `weights/${t.key}`, dtype));
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
