// Element types. f16 and bf16 are stored packed two per u32 (low half first) so they work on
// adapters without `shader-f16` (NVIDIA through Vulkan, SwiftShader); kernels unpack them.
// q8 and q4 are block-quantized weights (see quant.ts): blocks of QUANT_BLOCK consecutive
// elements, each a header word (scale, or scale and minimum) followed by the packed integers.

export type DType = 'f32' | 'i32' | 'u32' | 'f16' | 'bf16' | 'q8' | 'q4';

export const DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'f16', 'bf16', 'q8', 'q4'];

/** The float dtypes kernels read through generated loaders (f32, packed halves, quantized blocks). */
export type FloatDType = 'f32' | 'f16' | 'bf16' | 'q8' | 'q4';

/** Elements per quantization block of q8/q4 (along the flat element index). */
export const QUANT_BLOCK = 32;

/** u32 words per block: q8 one f32 scale + 8 words of int8; q4 one word (f16 scale, f16 min) + 4 of nibbles. */
export const QUANT_BLOCK_WORDS = { q8: 9, q4: 5 } as const;

/** Whether the dtype is block-quantized (q8/q4). */
export function isQuantized(dtype: DType): dtype is 'q8' | 'q4' {
  return dtype === 'q8' || dtype === 'q4';
}

/**
 * The smallest addressable run of a dtype in a buffer: `elements` elements in `bytes` bytes
 * (4-byte types 1 in 4, packed halves 2 in 4, quantized types one block).
 */
export function storageUnit(dtype: DType): { elements: number; bytes: number } {
  if (dtype === 'f16' || dtype === 'bf16') return { elements: 2, bytes: 4 };
  if (dtype === 'q8' || dtype === 'q4') return { elements: QUANT_BLOCK, bytes: QUANT_BLOCK_WORDS[dtype] * 4 };
  return { elements: 1, bytes: 4 };
}

/** Bytes a tensor of `numel` elements of `dtype` occupies on the GPU (packed types round up to whole units). */
export function byteLength(dtype: DType, numel: number): number {
  const unit = storageUnit(dtype);
  return Math.ceil(numel / unit.elements) * unit.bytes;
}

/** Whether the dtype is stored two per u32. */
export function isPacked16(dtype: DType): boolean {
  return dtype === 'f16' || dtype === 'bf16';
}

/** The typed array `read()` returns for a dtype (packed types are unpacked to f32). */
export type HostArray<D extends DType> = D extends 'i32'
  ? Int32Array
  : D extends 'u32'
    ? Uint32Array
    : Float32Array;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** f32 -> bf16 bits, round to nearest even (as torch does). NaN stays NaN. */
export function f32ToBf16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** bf16 bits -> f32. */
export function bf16BitsToF32(bits: number): number {
  u32Scratch[0] = (bits & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** f32 -> IEEE half bits, round to nearest even, with subnormals, overflow to inf. */
export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m += 1;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m += 1;
    if (m === 0x400) {
      m = 0;
      e += 1;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** IEEE half bits -> f32. */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Packs f32 values into 16-bit halves, two per u32 (element 2i in the low half). */
export function packHalves(values: ArrayLike<number>, dtype: 'f16' | 'bf16'): Uint32Array {
  const out = new Uint32Array(Math.ceil(values.length / 2));
  const conv = dtype === 'f16' ? f32ToF16Bits : f32ToBf16Bits;
  for (let i = 0; i < values.length; i++) {
    const bits = conv(values[i]!);
    out[i >>> 1]! |= i & 1 ? bits << 16 : bits;
  }
  return out;
}

/** Unpacks `numel` 16-bit values (two per u32) to f32. */
export function unpackHalves(packed: Uint32Array, numel: number, dtype: 'f16' | 'bf16'): Float32Array {
  const out = new Float32Array(numel);
  const conv = dtype === 'f16' ? f16BitsToF32 : bf16BitsToF32;
  for (let i = 0; i < numel; i++) {
    const word = packed[i >>> 1]!;
    out[i] = conv(i & 1 ? word >>> 16 : word & 0xffff);
  }
  return out;
}

/** Rounds values through a 16-bit dtype (what the GPU will see after packing). */
export function roundThrough(values: Float32Array, dtype: 'f16' | 'bf16'): Float32Array {
  return unpackHalves(packHalves(values, dtype), values.length, dtype);
}
