// One decode step of the depthwise causal conv1d, in place on the conv state: shift the state left
// by one, append x, y = bias + sum(state * weight), optional SiLU.
// x, y: (batch, d_inner); conv_state: (batch, d_inner, width); weight: (d_inner, width); bias: (d_inner).

override HAS_BIAS: bool = false;
override SILU: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> conv_state: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let channel = (wid.x + wid.y * groups.x) * 64u + lid;
  if (channel >= params.batch * params.d_inner) { return; }
  let d = channel % params.d_inner;
  let width = params.width;
  let base = channel * width;
  var acc = select(0.0, bias[d], HAS_BIAS);
  for (var w = 0u; w < width; w++) {
    var v = x[channel];
    if (w + 1u < width) { v = conv_state[base + w + 1u]; }
    conv_state[base + w] = v;
    acc += weight[d * width + w] * v;
  }
  if (SILU) { acc = acc / (1.0 + exp(-acc)); }
  y[channel] = acc;
}
