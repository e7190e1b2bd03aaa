// Embedding gather: out[t, d] = table[ids[t], d] for the table rows of this chunk.
// ids: (tokens) i32 window at ids_off; table: (vocab, dim) rows [row0, row0 + rows) at table_off
// (f32 or packed f16/bf16, read with `load_table`); out: (tokens, dim) window at out_off. One
// thread per output element. Ids outside [0, vocab) give NaN rows, written by the chunk with
// row0 == 0.

// A run-time NaN: a NaN literal (or a constant bitcast to one) is rejected by const evaluation.
var<private> nan_bits: u32 = 0x7fc00000u;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (e >= params.tokens * params.dim) { return; }
  let t = e / params.dim;
  let d = e % params.dim;
  let id = ids[params.ids_off + t];
  if (id < 0 || u32(id) >= params.vocab) {
    if (params.row0 == 0u) { out[params.out_off + e] = bitcast<f32>(nan_bits); }
    return;
  }
  let local_row = u32(id) - params.row0;
  if (u32(id) < params.row0 || local_row >= params.rows) { return; }
  out[params.out_off + e] = load_table(params.table_off + local_row * params.dim + d);
}
