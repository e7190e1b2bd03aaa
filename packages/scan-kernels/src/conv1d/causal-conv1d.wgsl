// Depthwise causal conv1d over a sequence, fused bias and optional SiLU, and the final conv state.
// x, y: (batch, d_inner, seq_len); weight: (d_inner, width); bias: (d_inner);
// init_state: (batch, d_inner, init_width) = the inputs before t = 0 (the last one at column
// init_width - 1); final_state: (batch, d_inner, width) = the last `width` inputs (zeros/initial
// state where the sequence is shorter). Invocations [0, batch*d_inner*seq_len) write y, the next
// batch*d_inner*width write final_state.

override HAS_BIAS: bool = false;
override HAS_INIT: bool = false;
override SILU: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> init_state: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<storage, read_write> final_state: array<f32>;

/** Input of channel row `channel` at time t (t may be negative: initial state or zero). */
fn input_at(channel: u32, t: i32) -> f32 {
  if (t >= 0) { return x[channel * params.seq_len + u32(t)]; }
  let column = i32(params.init_width) + t;
  if (HAS_INIT && column >= 0) { return init_state[channel * params.init_width + u32(column)]; }
  return 0.0;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * 256u + lid;
  let rows = params.batch * params.d_inner;
  let n_out = rows * params.seq_len;
  if (index < n_out) {
    let channel = index / params.seq_len;
    let d = channel % params.d_inner;
    let t = i32(index % params.seq_len);
    var acc = select(0.0, bias[d], HAS_BIAS);
    for (var w = 0u; w < params.width; w++) {
      acc += weight[d * params.width + w] * input_at(channel, t - i32(params.width - 1u - w));
    }
    if (SILU) { acc = acc / (1.0 + exp(-acc)); }
    y[index] = acc;
  } else if (index < n_out + rows * params.width) {
    let s = index - n_out;
    let channel = s / params.width;
    let column = s % params.width;
    final_state[s] = input_at(channel, i32(params.seq_len) - i32(params.width) + i32(column));
  }
}
