// Decode step of the causal depthwise conv, fused with the split of in_proj's output and SiLU:
// one thread per (row, channel), shifting that channel's state in place (no other thread reads it).
// xz: (batch, 2*dInner) (x = columns [0, dInner)); state: (batch, dInner, width), newest last;
// weight: (dInner, width); bias: (dInner); u: (batch, dInner) = silu(bias + sum_w weight*state).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xz: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> u: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let d_inner = params.d_inner;
  let i = gid.x;
  if (i >= params.batch * d_inner) { return; }
  let b = i / d_inner;
  let d = i % d_inner;
  let width = params.width;
  let base = i * width;
  let x = xz[b * 2u * d_inner + d];
  var acc = select(0.0, bias[d], params.has_bias == 1u);
  for (var w = 0u; w + 1u < width; w++) {
    let v = state[base + w + 1u];
    state[base + w] = v;
    acc += weight[d * width + w] * v;
  }
  state[base + width - 1u] = x;
  acc += weight[d * width + width - 1u] * x;
  u[i] = acc / (1.0 + exp(-acc));
}
