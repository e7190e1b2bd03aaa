// One decode step of the selective scan, in place on the state (mamba `selective_state_update`):
// dt = softplus(dt + dt_bias); h = exp(dt A) h + dt B x; y = (C . h + D x) * silu(z).
// One invocation per (batch, channel), looping over the states.
// state: (batch, d_inner, d_state); x, dt, z, y: (batch, d_inner); A: (d_inner, d_state);
// B, C: (batch, d_state); D, dt_bias: (d_inner).

override HAS_D: bool = false;
override HAS_Z: bool = false;
override HAS_BIAS: bool = false;
override SOFTPLUS: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> state: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> dt_in: array<f32>;
@group(0) @binding(4) var<storage, read> a_matrix: array<f32>;
@group(0) @binding(5) var<storage, read> b_vec: array<f32>;
@group(0) @binding(6) var<storage, read> c_vec: array<f32>;
@group(0) @binding(7) var<storage, read> d_skip: array<f32>;
@group(0) @binding(8) var<storage, read> z: array<f32>;
@group(0) @binding(9) var<storage, read> dt_bias: array<f32>;
@group(0) @binding(10) var<storage, read_write> y: array<f32>;

fn softplus(v: f32) -> f32 {
  if (v > 20.0) { return v; }
  return log(1.0 + exp(v));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let channel = (wid.x + wid.y * groups.x) * 64u + lid;
  if (channel >= params.batch * params.d_inner) { return; }
  let b = channel / params.d_inner;
  let d = channel % params.d_inner;
  let n_state = params.d_state;
  var dt = dt_in[channel] + select(0.0, dt_bias[d], HAS_BIAS);
  if (SOFTPLUS) { dt = softplus(dt); }
  let xv = x[channel];
  var acc = 0.0;
  for (var n = 0u; n < n_state; n++) {
    let s = channel * n_state + n;
    let h = exp(dt * a_matrix[d * n_state + n]) * state[s] + dt * b_vec[b * n_state + n] * xv;
    state[s] = h;
    acc += c_vec[b * n_state + n] * h;
  }
  acc += select(0.0, d_skip[d], HAS_D) * xv;
  if (HAS_Z) {
    let gate = z[channel];
    acc *= gate / (1.0 + exp(-gate));
  }
  y[channel] = acc;
}
