// Backward of the embedding lookup as a deterministic scatter-add: for each distinct id u (in the
// host-built index), d_table[ids_u, :] = sum of dy[t, :] over the tokens t holding that id, in
// token order. Rows of ids that do not occur are left as written before (zeros).
// dy: (tokens, dim); order: (tokens) token indices grouped by id; starts: (distinct + 1);
// distinct: (distinct) the ids; d_table: (vocab, dim).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.distinct * params.dim) { return; }
  let d = i % params.dim;
  let u = i / params.dim;
  var acc = 0.0;
  for (var j = u32(starts[u]); j < u32(starts[u + 1u]); j++) {
    acc += dy[u32(order[j]) * params.dim + d];
  }
  d_table[u32(distinct[u]) * params.dim + d] = acc;
}
