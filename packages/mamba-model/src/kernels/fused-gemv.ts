// Decode GEMVs with fused prologues, so that a layer's decode step is four dispatches:
//   in_proj  with RMSNorm:  xz  = W_in  @ (rmsnorm(residual) * norm_w)
//   x_proj   with the conv: dbl = W_x   @ silu(conv1d_step(conv_state, x) + conv_bias)
//   (ssm-step: dt_proj, softplus, state update, readout, D, gate, conv state shift)
//   out_proj with residual: residual' = W_out @ y + residual      (tensor's matmul, fused residual)
// The prologue writes the workgroup's MB input rows (MB, k) to workgroup memory once; then 256
// threads compute ROWS outputs (8, fewer for narrow W), each split over TPR = 256/ROWS threads
// with vec4 loads of W (any float dtype).
// x rows: (m, k) for the prologue source; W: (n, k); out: (m, n).

import { type DType, LimitError, type Tensor } from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, unpackWgsl } from '@mamba-webgpu/tensor/internal';

/**
 * W rows per workgroup: up to 8, fewer for narrow products so that at least ~128 workgroups run
 * over all `slices` of batch rows (each workgroup repeats the prologue for its rows).
 */
function rowsPerWorkgroup(n: number, slices: number): number {
  return Math.max(1, Math.min(8, 2 ** Math.floor(Math.log2(Math.max(1, (n * slices) / 128)))));
}

const Params = defineParams('Params', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  eps: 'f32',
  width: 'u32',
  xz_stride: 'u32',
  has_bias: 'u32',
});

type Prologue = 'rmsnorm' | 'conv';

function code(prologue: Prologue, wDtype: DType, mb: number, k: number, rows: number): string {
  const wType = wDtype === 'f32' ? 'f32' : 'u32';
  const bindings =
    prologue === 'rmsnorm'
      ? `@group(0) @binding(2) var<storage, read> src: array<f32>;      // residual (m, k)
@group(0) @binding(3) var<storage, read> norm_w: array<f32>;   // (k)`
      : `@group(0) @binding(2) var<storage, read> src: array<f32>;      // xz (m, xz_stride), x = cols [0, k)
@group(0) @binding(3) var<storage, read> conv_state: array<f32>; // (m, k, width), newest last
@group(0) @binding(4) var<storage, read> conv_w: array<f32>;     // (k, width)
@group(0) @binding(5) var<storage, read> conv_b: array<f32>;     // (k)`;
  const outBinding = prologue === 'rmsnorm' ? 4 : 6;
  const fill =
    prologue === 'rmsnorm'
      ? `  // RMSNorm of each row: sum of squares by all threads, reduced in workgroup memory.
  for (var i = 0u; i < MB; i++) {
    let row = min(m0 + i, params.m - 1u);
    var ss = 0.0;
    for (var c = lid; c < K / 4u; c += 256u) {
      let o = row * K + c * 4u;
      let v = vec4<f32>(src[o], src[o + 1u], src[o + 2u], src[o + 3u]);
      xs[i * K / 4u + c] = v;
      ss += dot(v, v);
    }
    red[lid] = ss;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) { if (lid < s) { red[lid] += red[lid + s]; } workgroupBarrier(); }
    let inv = inverseSqrt(red[0] / f32(K) + params.eps);
    workgroupBarrier();
    for (var c = lid; c < K / 4u; c += 256u) {
      let o = c * 4u;
      xs[i * K / 4u + c] = xs[i * K / 4u + c] * inv * vec4<f32>(norm_w[o], norm_w[o + 1u], norm_w[o + 2u], norm_w[o + 3u]);
    }
  }`
      : `  // u = silu(bias + conv over (state[1..width), x)): the conv step, state shift left for later.
  let width = params.width;
  for (var i = 0u; i < MB; i++) {
    let row = min(m0 + i, params.m - 1u);
    for (var c4 = lid; c4 < K / 4u; c4 += 256u) {
      var u4: vec4<f32>;
      for (var j = 0u; j < 4u; j++) {
        let c = c4 * 4u + j;
        var acc = select(0.0, conv_b[c], params.has_bias == 1u);
        let base = (row * K + c) * width;
        for (var w = 0u; w + 1u < width; w++) { acc += conv_w[c * width + w] * conv_state[base + w + 1u]; }
        acc += conv_w[c * width + width - 1u] * src[row * params.xz_stride + c];
        u4[j] = acc / (1.0 + exp(-acc));
      }
      xs[i * K / 4u + c4] = u4;
    }
  }`;
  return `${Params.wgsl}
const MB: u32 = ${mb}u;
const K: u32 = ${k}u;
const ROWS: u32 = ${rows}u;
const TPR: u32 = ${256 / rows}u;
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> w: array<${wType}>;
${bindings}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;
${unpackWgsl('w', wDtype)}
var<workgroup> xs: array<vec4<f32>, ${(mb * k) / 4}>;
var<workgroup> red: array<f32, 256>;
var<workgroup> partial: array<f32, ${mb * 256}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let m0 = wid.z * MB;
${fill}
  workgroupBarrier();
  let group = wid.x + wid.y * groups.x;
  let r = lid / TPR;
  let t = lid % TPR;
  let n = group * ROWS + r;
  let w_base = min(n, params.n - 1u) * K;
  var acc: array<vec4<f32>, MB>;
  for (var c = t * 4u; c < K; c += TPR * 4u) {
    let wv = load4_w(w_base + c);
    for (var i = 0u; i < MB; i++) {
      acc[i] += wv * xs[(i * K + c) / 4u];
    }
  }
  for (var i = 0u; i < MB; i++) { partial[i * 256u + lid] = dot(acc[i], vec4<f32>(1.0)); }
  workgroupBarrier();
  for (var s = TPR / 2u; s > 0u; s >>= 1u) {
    if (t < s) { for (var i = 0u; i < MB; i++) { partial[i * 256u + lid] += partial[i * 256u + lid + s]; } }
    workgroupBarrier();
  }
  if (t < MB && n < params.n && m0 + t < params.m) {
    out[(m0 + t) * params.n + n] = partial[t * 256u + r * TPR];
  }
}
`;
}

/** Rows of x per z-slice: as many as fit 20 KiB of workgroup memory (lavapipe has 32 KiB in all), <= 8. */
function rowsPerSlice(m: number, k: number): number {
  const fit = Math.max(1, Math.floor((20 * 1024) / 4 / k));
  return Math.min(8, fit, m);
}

function launch(
  prologue: Prologue,
  w: Tensor,
  m: number,
  bindings: Tensor[],
  out: Tensor,
  extra: { eps?: number; width?: number; xzStride?: number; hasBias?: boolean },
): void {
  const ctx = w.ctx;
  const [n, k] = w.shape as [number, number];
  if (k % 4 !== 0) throw new LimitError(`fusedGemv(${prologue}): k must be a multiple of 4, got ${k}`);
  const mb = rowsPerSlice(m, k);
  const rows = rowsPerWorkgroup(n, Math.ceil(m / mb));
  const [x, y] = dispatch1d(Math.ceil(n / rows), ctx.limits.maxComputeWorkgroupsPerDimension);
  ctx.dispatch({
    pipeline: ctx.pipeline(`mamba-model/fused-gemv/${prologue}/${w.dtype}/mb${mb}/k${k}/r${rows}`, () =>
      code(prologue, w.dtype, mb, k, rows),
    ),
    params: Params.pack({
      m,
      n,
      k,
      eps: extra.eps ?? 0,
      width: extra.width ?? 0,
      xz_stride: extra.xzStride ?? 0,
      has_bias: extra.hasBias ? 1 : 0,
    }),
    bindings: [w.buffer, ...bindings.map((t) => t.buffer), out.buffer],
    workgroups: [x, y, Math.ceil(m / mb)],
    label: `decode/${prologue}-gemv`,
  });
}

/** xz (m, n) = W (n, k) @ (rmsnorm(residual (m, k)) * normWeight (k)). */
export function rmsNormGemv(residual: Tensor, normWeight: Tensor, w: Tensor, eps: number, out: Tensor): void {
  launch('rmsnorm', w, residual.shape[0]!, [residual, normWeight], out, { eps });
}

/**
 * dbl (m, n) = W (n, dInner) @ silu(conv step of x = xz[:, :dInner] over convState (m, dInner, width)).
 * Reads the conv state without shifting it (the SSM step shifts it).
 */
export function convGemv(
  xz: Tensor,
  convState: Tensor,
  convWeight: Tensor,
  convBias: Tensor | undefined,
  w: Tensor,
  out: Tensor,
): void {
  const m = xz.shape[0]!;
  launch('conv', w, m, [xz, convState, convWeight, convBias ?? convWeight], out, {
    width: convWeight.shape[1]!,
    xzStride: xz.shape[1]!,
    hasBias: !!convBias,
  });
}
