// v1-sequential: the GPU reference. One invocation per (batch, channel) walks the sequence with
// the dState states in a private array; no tiling, no L-parallelism, uncoalesced loads.
// u, delta, z, y: (batch, dInner, seqLen) views (u_at(b, d, t)...); A: (dInner, dState);
// B, C: (batch, dState, seqLen) views; D, delta_bias: (dInner); state: (batch, dInner, dState),
// read first when HAS_INIT. The builder generates the bindings, the view helpers and the
// constants WORKGROUP, MAX_STATE, HAS_D, HAS_Z, HAS_BIAS, SOFTPLUS, HAS_INIT.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
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
  for (var t = 0u; t < params.seq_len; t++) {
    let dt = ssm_dt(delta[delta_at(b, d, t)], bias, SOFTPLUS);
    let x = u[u_at(b, d, t)];
    let dt_x = dt * x;
    var acc = 0.0;
    for (var n = 0u; n < n_state; n++) {
      h[n] = ssm_state_step(h[n], ssm_decay(a_matrix[d * n_state + n], dt), dt_x, b_matrix[b_matrix_at(b, n, t)]);
      acc += c_matrix[c_matrix_at(b, n, t)] * h[n];
    }
    var out = ssm_skip(acc, skip, x);
    if (HAS_Z) { out = ssm_gate(out, z[z_at(b, d, t)]); }
    y[y_at(b, d, t)] = out;
  }
  for (var n = 0u; n < n_state; n++) {
    state[index * n_state + n] = h[n];
  }
}
