// v1-time-tiles, pass 2 of 2: d_weight and d_bias as the fixed-order sum of the per-(batch, tile)
// partials of pass 1 (partial 0 first, then 1, ...: the same bits on every run).
//
// Shapes: partials: (n_partials, d_inner, LANES) with n_partials = batch * n_tiles, lanes
//   0..WIDTH-1 = d_weight and lane WIDTH = d_bias; d_weight: (d_inner, WIDTH); d_bias: (d_inner).
// One invocation per (d, lane): consecutive invocations read consecutive partials (coalesced).
// Constants (generated header): REDUCE_WORKGROUP_SIZE, WIDTH, LANES = WIDTH + 1, HAS_BIAS.

@compute @workgroup_size(REDUCE_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * REDUCE_WORKGROUP_SIZE + lid;
  let per_partial = params.d_inner * LANES;
  if (i >= per_partial) { return; }
  var acc = 0.0;
  for (var p = 0u; p < params.n_partials; p++) { acc += partials[p * per_partial + i]; }
  let d = i / LANES;
  let lane = i % LANES;
  if (lane < WIDTH) {
    d_weight[d * WIDTH + lane] = acc;
  } else if (HAS_BIAS) {
    d_bias[d] = acc;
  }
}
