// Generated WGSL shared by the matmul kernels: the bindings and the loaders `read4_x`/`read4_w`,
// which read 4 consecutive K elements as vec4<f32> from f32 or packed f16/bf16 storage. With
// K % 4 == 0 they are single vector loads (vec4<f32>, or vec2<u32> for packed W); otherwise
// scalar loads with the K tail masked to zero.

import type { DType } from '../../tensor/dtype.js';
import { unpackWgsl } from '../wgsl-common.js';

export type FloatDType = 'f32' | 'f16' | 'bf16';

function vectorWLoader(dtype: FloatDType): string {
  if (dtype === 'f32') {
    return `@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
fn read4_w(base: u32, k: u32) -> vec4<f32> { return w[(base + k) >> 2u]; }
`;
  }
  const unpack =
    dtype === 'f16'
      ? 'vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y))'
      : 'vec4<f32>(bitcast<f32>(p.x << 16u), bitcast<f32>(p.x & 0xffff0000u), bitcast<f32>(p.y << 16u), bitcast<f32>(p.y & 0xffff0000u))';
  return `@group(0) @binding(2) var<storage, read> w: array<vec2<u32>>;
fn read4_w(base: u32, k: u32) -> vec4<f32> { let p = w[(base + k) >> 2u]; return ${unpack}; }
`;
}

function scalarWLoader(dtype: FloatDType): string {
  return `@group(0) @binding(2) var<storage, read> w: array<${dtype === 'f32' ? 'f32' : 'u32'}>;
${unpackWgsl('w', dtype)}fn read4_w(base: u32, k: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < params.k) { v[j] = load_w(base + k + j); } }
  return v;
}
`;
}

/**
 * The matmul bindings (0 params, 1 x, 2 w, 3 bias, 4 residual, 5 out) and loaders.
 * `vector`: K % 4 == 0 and every window offset a multiple of 4 elements.
 */
export function matmulPrelude(wDtype: FloatDType, biasDtype: DType, vector: boolean): string {
  const x = vector
    ? `@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
fn read4_x(base: u32, k: u32) -> vec4<f32> { return x[(base + k) >> 2u]; }
`
    : `@group(0) @binding(1) var<storage, read> x: array<f32>;
fn read4_x(base: u32, k: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) { if (k + j < params.k) { v[j] = x[base + k + j]; } }
  return v;
}
`;
  return `@group(0) @binding(0) var<uniform> params: Params;
${x}${vector ? vectorWLoader(wDtype) : scalarWLoader(wDtype)}@group(0) @binding(3) var<storage, read> bias: array<${biasDtype === 'f32' ? 'f32' : 'u32'}>;
${unpackWgsl('bias', biasDtype)}@group(0) @binding(4) var<storage, read> residual: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
`;
}

/**
 * The bindings of the split-K reduce pass (0 params, 1 workspace, 2 bias, 3 residual, 4 out);
 * the epilogue's `store_out` then works unchanged.
 */
export function reducePrelude(biasDtype: DType): string {
  return `@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> workspace: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<${biasDtype === 'f32' ? 'f32' : 'u32'}>;
${unpackWgsl('bias', biasDtype)}@group(0) @binding(3) var<storage, read> residual: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
`;
}
