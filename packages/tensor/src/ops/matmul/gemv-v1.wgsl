// gemv-v1: the decode path (m = batch, small). out = x @ W^T on one chunk.
// x: (m, k) at x_off; W: (n, k) at w_off; out: (m, out_stride).
// A workgroup of 256 threads computes 8 output columns (8 rows of W) for MB rows of x (MB is a
// generated const, a z-slice of the grid per MB rows). 32 threads split each W row's K with
// coalesced vec4 reads (512 contiguous bytes per step for f32), keep MB vec4 partial sums, and
// reduce them in workgroup memory (portable; no subgroups needed).

const TPR: u32 = 32u; // threads per W row
const ROWS: u32 = 8u; // W rows per workgroup

var<workgroup> partial: array<f32, 2048>; // MB (<= 8) * 256

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * groups.x;
  let r = lid / TPR;
  let t = lid % TPR;
  let n = group * ROWS + r;
  let m0 = wid.z * MB;
  let w_base = params.w_off + min(n, params.n - 1u) * params.k;
  var x_base: array<u32, MB>;
  for (var i = 0u; i < MB; i++) { x_base[i] = params.x_off + min(m0 + i, params.m - 1u) * params.k; }
  var acc: array<vec4<f32>, MB>;
  for (var k = t * 4u; k < params.k; k += TPR * 4u) {
    let wv = read4_w(w_base, k);
    for (var i = 0u; i < MB; i++) { acc[i] += wv * read4_x(x_base[i], k); }
  }
  for (var i = 0u; i < MB; i++) { partial[i * 256u + lid] = dot(acc[i], vec4<f32>(1.0)); }
  workgroupBarrier();
  for (var s = TPR / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      for (var i = 0u; i < MB; i++) { partial[i * 256u + lid] += partial[i * 256u + lid + s]; }
    }
    workgroupBarrier();
  }
  if (t < MB && n < params.n && m0 + t < params.m) {
    store_out(m0 + t, n, partial[t * 256u + r * TPR]);
  }
}
