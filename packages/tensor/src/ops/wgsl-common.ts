// The element loaders the kernel builder generates for float storage bindings: one kernel source
// reads f32, f16 and bf16 operands through `load_<name>` / `load4_<name>`, packed 16-bit types
// unpacked from u32 words (two per word, element 2i in the low half) without `shader-f16`.

import type { DType } from '../tensor/dtype.js';

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
  throw new Error(`unpackWgsl: ${dtype} is not a float dtype`);
}

/**
 * The loaders of a float binding declared four elements per entry (`array<vec4<f32>>` for f32,
 * `array<vec2<u32>>` for packed f16/bf16): `load4_<name>(i)` (i a multiple of 4) is one vector
 * load, `load_<name>(i)` reads one element of it.
 */
export function unpackVec4Wgsl(name: string, dtype: 'f32' | 'f16' | 'bf16'): string {
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
