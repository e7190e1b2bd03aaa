// v1-sequential: the GPU reference. One invocation per (batch, channel) walks the sequence with
// the dState states in a private array; no tiling, no L-parallelism, uncoalesced loads.
// u, delta, z, y: (batch, dInner, seqLen); A: (dInner, dState); B, C: strided (see params);
// D, delta_bias: (dInner); state: (batch, dInner, dState), read first when HAS_INIT.

override HAS_D: bool = false;
override HAS_Z: bool = false;
override HAS_BIAS: bool = false;
override SOFTPLUS: bool = false;
override HAS_INIT: bool = false;

const MAX_STATE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> delta: array<f32>;
@group(0) @binding(3) var<storage, read> a_matrix: array<f32>;
@group(0) @binding(4) var<storage, read> b_matrix: array<f32>;
@group(0) @binding(5) var<storage, read> c_matrix: array<f32>;
@group(0) @binding(6) var<storage, read> d_skip: array<f32>;
@group(0) @binding(7) var<storage, read> z: array<f32>;
@group(0) @binding(8) var<storage, read> delta_bias: array<f32>;
@group(0) @binding(9) var<storage, read_write> y: array<f32>;
@group(0) @binding(10) var<storage, read_write> state: array<f32>;

fn softplus(v: f32) -> f32 {
  if (v > 20.0) { return v; }
  return log(1.0 + exp(v));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * 64u + lid;
  if (index >= params.batch * params.d_inner) { return; }
  let b = index / params.d_inner;
  let d = index % params.d_inner;
  let n_state = params.d_state;
  var h: array<f32, MAX_STATE>;
  for (var n = 0u; n < n_state; n++) {
    h[n] = select(0.0, state[index * n_state + n], HAS_INIT);
  }
  let bias = select(0.0, delta_bias[d], HAS_BIAS);
  let skip = select(0.0, d_skip[d], HAS_D);
  let row = index * params.seq_len;
  for (var t = 0u; t < params.seq_len; t++) {
    var dt = delta[row + t] + bias;
    if (SOFTPLUS) { dt = softplus(dt); }
    let x = u[row + t];
    var acc = 0.0;
    for (var n = 0u; n < n_state; n++) {
      let bc = b * params.bc_batch_stride + n * params.bc_state_stride + t * params.bc_time_stride;
      h[n] = exp(dt * a_matrix[d * n_state + n]) * h[n] + dt * b_matrix[bc] * x;
      acc += c_matrix[bc] * h[n];
    }
    acc += skip * x;
    if (HAS_Z) {
      let g = z[row + t];
      acc *= g / (1.0 + exp(-g));
    }
    y[row + t] = acc;
  }
  for (var n = 0u; n < n_state; n++) {
    state[index * n_state + n] = h[n];
  }
}
