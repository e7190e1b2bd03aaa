// gemv-v1: the decode path (m = batch, small). out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at`, both with stride 1 along K; out: (m, out_stride).
// A workgroup of WORKGROUP (256) threads computes W_ROWS (8) output columns (rows of W) for MB
// rows of x (a z-slice of the grid per MB rows). THREADS_PER_ROW (32) threads split each W row's
// K with coalesced vec4 reads (512 contiguous bytes per step for f32), keep MB vec4 partial sums,
// and reduce them in workgroup memory (portable; no subgroups needed). Sizes: GEMV_V1 in
// matmul-kernels.ts; MB (<= MAX_MB) per dispatch.

var<workgroup> partial: array<f32, MAX_MB * WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * groups.x;
  let r = lid / THREADS_PER_ROW;
  let t = lid % THREADS_PER_ROW;
  let n = group * W_ROWS + r;
  let m0 = wid.z * MB;
  let w_base = w_at(min(n, params.n - 1u), 0u);
  var x_base: array<u32, MB>;
  for (var i = 0u; i < MB; i++) { x_base[i] = x_at(min(m0 + i, params.m - 1u), 0u); }
  var acc: array<vec4<f32>, MB>;
  for (var k = t * 4u; k < params.k; k += THREADS_PER_ROW * 4u) {
    let wv = read4_w(w_base, k);
    for (var i = 0u; i < MB; i++) { acc[i] += wv * read4_x(x_base[i], k); }
  }
  for (var i = 0u; i < MB; i++) { partial[i * WORKGROUP + lid] = dot(acc[i], vec4<f32>(1.0)); }
  workgroupBarrier();
  for (var s = THREADS_PER_ROW / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      for (var i = 0u; i < MB; i++) { partial[i * WORKGROUP + lid] += partial[i * WORKGROUP + lid + s]; }
    }
    workgroupBarrier();
  }
  if (t < MB && n < params.n && m0 + t < params.m) {
    store_out(m0 + t, n, partial[t * WORKGROUP + r * THREADS_PER_ROW]);
  }
}
