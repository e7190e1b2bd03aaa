// Random weights for any config, built directly on the GPU side (no checkpoint): used by the
// bench (the exact mamba-130m shapes) and by tests. Initialised like Mamba's own init so
// activations stay in a realistic range: A = -(1..dState), D = 1, dt bias = softplus^-1(0.01).

import { type GpuContext, QUANT_BLOCK, QUANT_BLOCK_WORDS, Tensor } from '@mamba-webgpu/tensor';
import { f32ToF16Bits } from '@mamba-webgpu/tensor/internal';
import type { MambaConfig } from '../loading/config.js';
import type { LayerWeights, MambaWeights, WeightDType } from './weights.js';

/** `n` words of a seeded xorshift32 stream. */
function xorshiftWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s >>> 0;
  }
  return out;
}

/** Fast seeded uniform fill in [-scale, scale) (xorshift32). */
function uniform(n: number, scale: number, seed: number): Float32Array {
  const words = xorshiftWords(n, seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (words[i]! / 4294967296 - 0.5) * 2 * scale;
  return out;
}

/**
 * Random quantized blocks directly (no f32 pass: the 7B-parameter bench configs would spend
 * minutes quantizing): values uniform on the block grid over about [-scale, scale], q8 with scale
 * d = scale / 127, q4 with s = 2 * scale / 15 and minimum -scale (both as f16, which q4 stores).
 */
function randomBlocks(n: number, scale: number, seed: number, dtype: 'q8' | 'q4'): Uint32Array {
  const words = QUANT_BLOCK_WORDS[dtype];
  const blocks = Math.ceil(n / QUANT_BLOCK);
  const out = xorshiftWords(blocks * words, seed);
  let header: number;
  if (dtype === 'q8') {
    header = new Uint32Array(Float32Array.of(scale / 127).buffer)[0]!;
    // int8 values: -128 is outside the symmetric grid; map it to -127.
    for (let b = 0; b < blocks; b++) {
      for (let w = 1; w < words; w++) {
        let word = out[b * words + w]!;
        for (let k = 0; k < 4; k++)
          if (((word >>> (8 * k)) & 0xff) === 0x80) word = (word | (1 << (8 * k))) >>> 0;
        out[b * words + w] = word;
      }
    }
  } else {
    header = (f32ToF16Bits((2 * scale) / 15) | (f32ToF16Bits(-scale) << 16)) >>> 0;
  }
  for (let b = 0; b < blocks; b++) out[b * words] = header;
  return out;
}

/**
 * Random weights with `config`'s shapes. `dtype` applies to the matrices (embedding, in/x/dt/out
 * projections, an untied LM head); vectors are f32 as in loaded checkpoints. Quantized dtypes get
 * random blocks directly, unless `exactQuantization`: then the f32 weights of the same seed are
 * quantized (the quality tests compare them with the f32 model).
 */
export function randomWeights(
  ctx: GpuContext,
  config: MambaConfig,
  options: { seed?: number; dtype?: WeightDType; exactQuantization?: boolean } = {},
): MambaWeights {
  const { dModel, dInner, dState, dConv, dtRank, vocabSize } = config;
  const dtype = options.dtype ?? 'f32';
  let seed = options.seed ?? 1;
  const created: Tensor[] = [];
  const table = (rows: number, cols: number, scale: number, label: string): Tensor => {
    const t =
      dtype === 'q8' || dtype === 'q4'
        ? options.exactQuantization
          ? Tensor.fromArray(ctx, uniform(rows * cols, scale, seed++), [rows, cols], dtype, label)
          : Tensor.fromBlocks(
              ctx,
              randomBlocks(rows * cols, scale, seed++, dtype),
              [rows, cols],
              dtype,
              label,
            )
        : Tensor.fromArray(ctx, uniform(rows * cols, scale, seed++), [rows, cols], dtype, label);
    created.push(t);
    return t;
  };
  const matrix = (rows: number, cols: number, label: string) => table(rows, cols, 1 / Math.sqrt(cols), label);
  const vector = (values: Float32Array, shape: number[], label: string) => {
    const t = Tensor.fromArray(ctx, values, shape, 'f32', label);
    created.push(t);
    return t as Tensor<'f32'>;
  };
  const embedding = table(vocabSize, dModel, 0.02, 'random/embedding');
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.nLayer; i++) {
    const a = new Float32Array(dInner * dState);
    for (let d = 0; d < dInner; d++) for (let n = 0; n < dState; n++) a[d * dState + n] = -(n + 1);
    const convWeight = uniform(dInner * dConv, 0.5, seed++);
    const convBias = config.convBias ? uniform(dInner, 0.1, seed++) : undefined;
    const dtBias = new Float32Array(dInner).fill(Math.log(Math.expm1(0.01)));
    const D = new Float32Array(dInner).fill(1);
    layers.push({
      norm: vector(new Float32Array(dModel).fill(1), [dModel], 'random/norm'),
      inProj: matrix(2 * dInner, dModel, 'random/in-proj'),
      inProjBias: undefined,
      conv1dWeight: vector(convWeight, [dInner, dConv], 'random/conv'),
      conv1dBias: convBias ? vector(convBias, [dInner], 'random/conv-bias') : undefined,
      xProj: matrix(dtRank + 2 * dState, dInner, 'random/x-proj'),
      dtProj: matrix(dInner, dtRank, 'random/dt-proj'),
      dtProjBias: vector(dtBias, [dInner], 'random/dt-bias'),
      A: vector(a, [dInner, dState], 'random/A'),
      D: vector(D, [dInner], 'random/D'),
      outProj: matrix(dModel, dInner, 'random/out-proj'),
      outProjBias: undefined,
    });
  }
  const normF = vector(new Float32Array(dModel).fill(1), [dModel], 'random/norm-f');
  // An untied config (FalconMamba) reads a separate LM head at every step: give it one.
  const lmHead = config.tieEmbeddings ? embedding : table(vocabSize, dModel, 0.02, 'random/lm-head');
  let bytes = 0;
  for (const t of created) bytes += t.byteLength;
  return { embedding, lmHead, normF, layers, bytes };
}
