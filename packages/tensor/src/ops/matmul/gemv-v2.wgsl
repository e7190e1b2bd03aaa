// gemv-v2: gemv-v1 with UNROLL independent vec4 loads of W in flight per thread (each step of the
// K loop issues its UNROLL loads before the FMAs that use them), and THREADS_PER_ROW / W_ROWS
// from GEMV_V2: long K rows (mamba-2.8b out_proj, K 5120) take K / (THREADS_PER_ROW * 4 * UNROLL)
// steps instead of gemv-v1 K / 128 latency-bound ones. out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at`, both with stride 1 along K; out: (m, out_stride).
// A workgroup of WORKGROUP threads computes W_ROWS output columns (rows of W) for MB rows of x;
// THREADS_PER_ROW threads split each W row's K, keep MB vec4 partial sums and reduce them in
// workgroup memory. Sizes: GEMV_V2 in matmul-sizes.ts; MB (<= MAX_MB) per dispatch.

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
  let step = THREADS_PER_ROW * 4u;
  for (var k = t * 4u; k < params.k; k += step * UNROLL) {
    var wv: array<vec4<f32>, UNROLL>;
    for (var u = 0u; u < UNROLL; u++) {
      let kk = k + u * step;
      if (kk < params.k) { wv[u] = read4_w(w_base, kk); }
    }
    for (var u = 0u; u < UNROLL; u++) {
      let kk = k + u * step;
      if (kk < params.k) {
        for (var i = 0u; i < MB; i++) { acc[i] += wv[u] * read4_x(x_base[i], kk); }
      }
    }
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
