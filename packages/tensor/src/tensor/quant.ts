// Block quantization of weights (the CPU side of the q8 / q4 dtypes): quantize on upload,
// dequantize on read, and the references every kernel that reads quantized operands is tested
// against. Blocks are QUANT_BLOCK consecutive elements of the flat (row-major) index; a tensor
// whose element count is not a multiple is padded with zeros in its last block.
//   q8 (symmetric int8, as llama.cpp Q8_0): word 0 = f32 scale d = max|v| / 127, words 1..8 the
//      32 int8 values q = round(v / d) in [-127, 127], element j in byte j % 4 of word 1 + j / 4;
//      v' = q * d. 36 bytes per 32 elements (1.125 bytes per weight).
//   q4 (asymmetric 4-bit with a minimum, as llama.cpp Q4_1): word 0 = f16 scale s (low half) and
//      f16 minimum m (high half), s = (max - min) / 15, words 1..4 the nibbles q = round((v - m) / s)
//      in [0, 15], element j in nibble j % 8 of word 1 + j / 8; v' = q * s + m. 20 bytes per 32
//      elements (0.625 bytes per weight). Scale and minimum are rounded to f16 before the values
//      are quantized against them, so the rounding of the header does not add to the error.

import { DTypeError } from '../errors.js';
import { QUANT_BLOCK, QUANT_BLOCK_WORDS, f16BitsToF32, f32ToF16Bits } from './dtype.js';

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function f32Bits(value: number): number {
  f32Scratch[0] = value;
  return u32Scratch[0]!;
}

function bitsF32(bits: number): number {
  u32Scratch[0] = bits;
  return f32Scratch[0]!;
}

function checkFinite(caller: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new DTypeError(
        `${caller}: element ${i} is ${values[i]}; only finite values can be quantized (keep this tensor in f32/f16/bf16)`,
      );
    }
  }
}

/** Quantizes f32 values into q8 blocks (see the file header). */
function quantizeQ8(values: ArrayLike<number>): Uint32Array {
  const blocks = Math.ceil(values.length / QUANT_BLOCK);
  const words = QUANT_BLOCK_WORDS.q8;
  const out = new Uint32Array(blocks * words);
  for (let b = 0; b < blocks; b++) {
    const start = b * QUANT_BLOCK;
    const end = Math.min(start + QUANT_BLOCK, values.length);
    let amax = 0;
    for (let i = start; i < end; i++) amax = Math.max(amax, Math.abs(values[i]!));
    const d = Math.fround(amax / 127);
    out[b * words] = f32Bits(d);
    if (d === 0) continue;
    for (let i = start; i < end; i++) {
      const q = Math.max(-127, Math.min(127, Math.round(values[i]! / d)));
      const j = i - start;
      const w = b * words + 1 + (j >> 2);
      out[w] = (out[w]! | ((q & 0xff) << ((j & 3) * 8))) >>> 0;
    }
  }
  return out;
}

/** Quantizes f32 values into q4 blocks (see the file header). */
function quantizeQ4(caller: string, values: ArrayLike<number>): Uint32Array {
  const blocks = Math.ceil(values.length / QUANT_BLOCK);
  const words = QUANT_BLOCK_WORDS.q4;
  const out = new Uint32Array(blocks * words);
  for (let b = 0; b < blocks; b++) {
    const start = b * QUANT_BLOCK;
    const end = Math.min(start + QUANT_BLOCK, values.length);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      min = Math.min(min, values[i]!);
      max = Math.max(max, values[i]!);
    }
    const mBits = f32ToF16Bits(min);
    const sBits = f32ToF16Bits((max - min) / 15);
    const m = f16BitsToF32(mBits);
    const s = f16BitsToF32(sBits);
    if (!Number.isFinite(m) || !Number.isFinite(s)) {
      throw new DTypeError(
        `${caller}: block ${b} spans [${min}, ${max}], beyond f16's range for q4's scale and minimum; keep this tensor in q8 or f32`,
      );
    }
    out[b * words] = (sBits | (mBits << 16)) >>> 0;
    for (let i = start; i < end; i++) {
      const q = s === 0 ? 0 : Math.max(0, Math.min(15, Math.round((values[i]! - m) / s)));
      const j = i - start;
      const w = b * words + 1 + (j >> 3);
      out[w] = (out[w]! | (q << ((j & 7) * 4))) >>> 0;
    }
  }
  return out;
}

/**
 * Quantizes `values` (f32, any length) into the blocks of `dtype`. Throws DTypeError (starting
 * with `caller`) for a non-finite value, or a q4 block beyond f16's range.
 */
export function quantize(values: ArrayLike<number>, dtype: 'q8' | 'q4', caller = 'quantize'): Uint32Array {
  checkFinite(caller, values);
  return dtype === 'q8' ? quantizeQ8(values) : quantizeQ4(caller, values);
}

/** Element i of quantized blocks, as the GPU loaders compute it (f32 arithmetic). */
export function dequantizeElement(words: Uint32Array, i: number, dtype: 'q8' | 'q4'): number {
  const b = Math.floor(i / QUANT_BLOCK);
  const j = i - b * QUANT_BLOCK;
  if (dtype === 'q8') {
    const base = b * QUANT_BLOCK_WORDS.q8;
    const word = words[base + 1 + (j >> 2)]!;
    const q = (word << (24 - (j & 3) * 8)) >> 24; // sign-extended byte
    return Math.fround(q * bitsF32(words[base]!));
  }
  const base = b * QUANT_BLOCK_WORDS.q4;
  const header = words[base]!;
  const s = f16BitsToF32(header & 0xffff);
  const m = f16BitsToF32(header >>> 16);
  const q = (words[base + 1 + (j >> 3)]! >>> ((j & 7) * 4)) & 0xf;
  return Math.fround(Math.fround(q * s) + m);
}

/** Dequantizes the first `numel` elements of quantized blocks to f32 (the CPU reference). */
export function dequantize(words: Uint32Array, numel: number, dtype: 'q8' | 'q4'): Float32Array {
  const out = new Float32Array(numel);
  for (let i = 0; i < numel; i++) out[i] = dequantizeElement(words, i, dtype);
  return out;
}

/** Rounds values through a quantized dtype: what the GPU reads after `quantize`. */
export function roundThroughQuantized(values: ArrayLike<number>, dtype: 'q8' | 'q4'): Float32Array {
  return dequantize(quantize(values, dtype), values.length, dtype);
}
