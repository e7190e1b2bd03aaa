// Packs B and C into time-major rows for the fused scans: out (batch, seqLen, 2 * n_pad) =
// [B_t | C_t] with states d_state..n_pad zero-filled, so a timestep's states are whole vec4 loads.
// B, C: (batch, d_state, seq_len) views (b_matrix_at(b, n, t)); the builder generates the bindings,
// the view helpers and WORKGROUP.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  let row = 2u * params.n_pad;
  if (index >= params.batch * params.seq_len * row) { return; }
  let w = index % row;
  let bt = index / row;
  let t = bt % params.seq_len;
  let b = bt / params.seq_len;
  let is_c = w >= params.n_pad;
  let n = select(w, w - params.n_pad, is_c);
  var v = 0.0;
  if (n < params.d_state) {
    if (is_c) { v = c_matrix[c_matrix_at(b, n, t)]; } else { v = b_matrix[b_matrix_at(b, n, t)]; }
  }
  out[index] = v;
}
