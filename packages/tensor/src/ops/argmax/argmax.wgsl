// Argmax along the last dim: index of the largest value, the first one on ties (as torch).
// x: (rows, dim) window at x_off; out: (rows) i32 window at out_off.
// One workgroup of WORKGROUP threads (a power of two) per row: strided scan, then a tree over
// (value, index) pairs.

var<workgroup> best_value: array<f32, WORKGROUP>;
var<workgroup> best_index: array<u32, WORKGROUP>;

// Whether (v, i) beats (bv, bi): larger, or equal with a smaller index.
fn beats(v: f32, i: u32, bv: f32, bi: u32) -> bool {
  return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = params.x_off + row * params.dim;
  var bv = -0x1.fffffep+127f; // lowest f32; -inf never beats it, so an all -inf row reports 0
  var bi = 0xffffffffu;
  for (var d = lid; d < params.dim; d += WORKGROUP) {
    let v = x[base + d];
    if (beats(v, d, bv, bi)) { bv = v; bi = d; }
  }
  best_value[lid] = bv;
  best_index[lid] = bi;
  workgroupBarrier();
  for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s && beats(best_value[lid + s], best_index[lid + s], best_value[lid], best_index[lid])) {
      best_value[lid] = best_value[lid + s];
      best_index[lid] = best_index[lid + s];
    }
    workgroupBarrier();
  }
  // A row of only -inf (or NaN) keeps index 0xffffffff: report 0 as torch does for -inf.
  if (lid == 0u) { out[params.out_off + row] = i32(select(best_index[0], 0u, best_index[0] == 0xffffffffu)); }
}
