// selectiveStateUpdate v1-plain: one decode step of the selective scan, in place on the state
// (mamba `selective_state_update`), one invocation per (batch, channel) looping over the states:
// delta = softplus(dt + dt_bias); h = exp(delta A) h + delta x B; y = (C . h + D x) * silu(z).
// state: (batch, d_inner, d_state); x, dt, z: (batch, d_inner) views; y: (batch, d_inner);
// A: (d_inner, d_state); B, C: (batch, d_state) views; D, dt_bias: (d_inner).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let channel = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (channel >= params.batch * params.d_inner) { return; }
  let b = channel / params.d_inner;
  let d = channel % params.d_inner;
  let n_state = params.d_state;
  let delta = ssm_dt(dt_in[dt_in_at(b, d)], select(0.0, dt_bias[d], HAS_BIAS), SOFTPLUS);
  let xv = x[x_at(b, d)];
  let dx = delta * xv;
  var acc = 0.0;
  for (var n = 0u; n < n_state; n++) {
    let s = channel * n_state + n;
    let h = ssm_state_step(state[s], ssm_decay(a_matrix[d * n_state + n], delta), dx, b_vec[b_vec_at(b, n)]);
    state[s] = h;
    acc += c_vec[c_vec_at(b, n)] * h;
  }
  acc = ssm_skip(acc, select(0.0, d_skip[d], HAS_D), xv);
  if (HAS_Z) { acc = ssm_gate(acc, z[z_at(b, d)]); }
  y[channel] = acc;
}
