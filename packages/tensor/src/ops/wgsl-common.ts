// The element loaders the kernel builder generates for float storage bindings: one kernel source
// reads f32, f16 and bf16 operands through `load_<name>` / `load4_<name>`, packed 16-bit types
// unpacked from u32 words (two per word, element 2i in the low half) without `shader-f16`, and
// quantized q8/q4 blocks dequantized as they are read (layout: tensor/quant.ts).

import { type DType, QUANT_BLOCK, QUANT_BLOCK_WORDS } from '../tensor/dtype.js';

/** The WGSL array element type a dtype is bound as. */
export function wgslStorageType(dtype: DType): 'f32' | 'i32' | 'u32' {
  if (dtype === 'f32') return 'f32';
  if (dtype === 'i32') return 'i32';
  return 'u32';
}

/**
 * A WGSL function `fn load_<name>(i: u32) -> f32` reading element i of binding `<name>`
 * (declared `array<f32>` for f32, `array<u32>` for packed f16/bf16), and
 * `fn load4_<name>(i: u32) -> vec4<f32>` reading elements i..i+3 (i a multiple of 4).
 */
export function unpackWgsl(name: string, dtype: DType): string {
  if (dtype === 'f32') {
    return `fn load_${name}(i: u32) -> f32 { return ${name}[i]; }
fn load4_${name}(i: u32) -> vec4<f32> { return vec4<f32>(${name}[i], ${name}[i + 1u], ${name}[i + 2u], ${name}[i + 3u]); }
`;
  }
  if (dtype === 'f16') {
    return `fn load_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 1u])[i & 1u]; }
fn load4_${name}(i: u32) -> vec4<f32> { let word = i >> 1u; return vec4<f32>(unpack2x16float(${name}[word]), unpack2x16float(${name}[word + 1u])); }
`;
  }
  if (dtype === 'bf16') {
    return `fn load_${name}(i: u32) -> f32 { let word = ${name}[i >> 1u]; return bitcast<f32>(select(word << 16u, word & 0xffff0000u, (i & 1u) == 1u)); }
fn load4_${name}(i: u32) -> vec4<f32> { let word = i >> 1u; let a = ${name}[word]; let b = ${name}[word + 1u];
  return vec4<f32>(bitcast<f32>(a << 16u), bitcast<f32>(a & 0xffff0000u), bitcast<f32>(b << 16u), bitcast<f32>(b & 0xffff0000u)); }
`;
  }
  if (dtype === 'q8' || dtype === 'q4') return quantizedWgsl(name, dtype);
  throw new Error(`unpackWgsl: ${dtype} is not a float dtype`);
}

/**
 * Loaders of a quantized binding (`array<u32>` of blocks, see tensor/quant.ts): `load_<name>(i)`
 * dequantizes element i; `load4_<name>(i)` (i a multiple of 4) elements i..i+3, which lie in one
 * word of one block, with one read of the block's header.
 */
function quantizedWgsl(name: string, dtype: 'q8' | 'q4'): string {
  const words = QUANT_BLOCK_WORDS[dtype];
  const shift = Math.log2(QUANT_BLOCK);
  const mask = QUANT_BLOCK - 1;
  if (dtype === 'q8') {
    return `fn load_${name}(i: u32) -> f32 {
  let base = (i >> ${shift}u) * ${words}u;
  let word = bitcast<i32>(${name}[base + 1u + ((i & ${mask}u) >> 2u)]);
  return f32(extractBits(word, (i & 3u) * 8u, 8u)) * bitcast<f32>(${name}[base]);
}
fn load4_${name}(i: u32) -> vec4<f32> {
  let base = (i >> ${shift}u) * ${words}u;
  let word = bitcast<i32>(${name}[base + 1u + ((i & ${mask}u) >> 2u)]);
  let q = vec4<f32>(f32(extractBits(word, 0u, 8u)), f32(extractBits(word, 8u, 8u)), f32(extractBits(word, 16u, 8u)), f32(extractBits(word, 24u, 8u)));
  return q * bitcast<f32>(${name}[base]);
}
`;
  }
  return `fn load_${name}(i: u32) -> f32 {
  let base = (i >> ${shift}u) * ${words}u;
  let sm = unpack2x16float(${name}[base]);
  let q = (${name}[base + 1u + ((i & ${mask}u) >> 3u)] >> ((i & 7u) * 4u)) & 15u;
  return f32(q) * sm.x + sm.y;
}
fn load4_${name}(i: u32) -> vec4<f32> {
  let base = (i >> ${shift}u) * ${words}u;
  let sm = unpack2x16float(${name}[base]);
  let word = ${name}[base + 1u + ((i & ${mask}u) >> 3u)] >> ((i & 7u) * 4u);
  let q = vec4<f32>(f32(word & 15u), f32((word >> 4u) & 15u), f32((word >> 8u) & 15u), f32((word >> 12u) & 15u));
  return q * sm.x + sm.y;
}
`;
}

/**
 * The loaders of a float binding declared four elements per entry (`array<vec4<f32>>` for f32,
 * `array<vec2<u32>>` for packed f16/bf16; quantized types stay `array<u32>`): `load4_<name>(i)` (i a multiple of 4) is one vector
 * load, `load_<name>(i)` reads one element of it.
 */
export function unpackVec4Wgsl(name: string, dtype: 'f32' | 'f16' | 'bf16' | 'q8' | 'q4'): string {
  // Quantized blocks are bound as words: one u32 already holds 4 (q8) or 8 (q4) elements.
  if (dtype === 'q8' || dtype === 'q4') return quantizedWgsl(name, dtype);
  if (dtype === 'f32') {
    return `fn load_${name}(i: u32) -> f32 { return ${name}[i >> 2u][i & 3u]; }
fn load4_${name}(i: u32) -> vec4<f32> { return ${name}[i >> 2u]; }
`;
  }
  if (dtype === 'f16') {
    return `fn load_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 2u][(i >> 1u) & 1u])[i & 1u]; }
fn load4_${name}(i: u32) -> vec4<f32> { let p = ${name}[i >> 2u]; return vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y)); }
`;
  }
  return `fn load_${name}(i: u32) -> f32 { let word = ${name}[i >> 2u][(i >> 1u) & 1u]; return bitcast<f32>(select(word << 16u, word & 0xffff0000u, (i & 1u) == 1u)); }
fn load4_${name}(i: u32) -> vec4<f32> { let p = ${name}[i >> 2u];
  return vec4<f32>(bitcast<f32>(p.x << 16u), bitcast<f32>(p.x & 0xffff0000u), bitcast<f32>(p.y << 16u), bitcast<f32>(p.y & 0xffff0000u)); }
`;
}
