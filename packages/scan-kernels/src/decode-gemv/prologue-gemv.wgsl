// Library `prologue-gemv`: the GEMV half of the decode kernels that fuse a prologue into a
// projection (in_proj after the RMSNorm, x_proj after the conv step): out = rows @ W^T.
// Contract with the kernel that includes it: its prologue fills `gemv_rows` (the MB rows of its
// z-slice, K floats each, as vec4) and calls `gemv_store` after a barrier; it declares the
// constants MB, K, ROWS, TPR, WORKGROUP (prologueGemvSizes), Params fields `m` and `n`, the weight
// binding `w` (n, K) of any float dtype (`load4_w`) and the output `out` (m, n) f32.
// Each thread takes one of the workgroup's ROWS rows of W and a TPR-th of K (vec4 loads) for all
// MB rows; the TPR partial sums of each output reduce in workgroup memory.

var<workgroup> gemv_rows: array<vec4<f32>, MB * K / 4u>;
var<workgroup> gemv_partial: array<f32, MB * WORKGROUP>;

// Writes out[m0 + i, group * ROWS + r] for the slice's rows i < MB and the workgroup's W rows r.
fn gemv_store(group: u32, m0: u32, lid: u32) {
  let r = lid / TPR;
  let t = lid % TPR;
  let n = group * ROWS + r;
  let w_base = min(n, params.n - 1u) * K;
  var acc: array<vec4<f32>, MB>;
  for (var c = t * 4u; c < K; c += TPR * 4u) {
    let wv = load4_w(w_base + c);
    for (var i = 0u; i < MB; i++) {
      acc[i] += wv * gemv_rows[(i * K + c) / 4u];
    }
  }
  for (var i = 0u; i < MB; i++) { gemv_partial[i * WORKGROUP + lid] = dot(acc[i], vec4<f32>(1.0)); }
  workgroupBarrier();
  for (var s = TPR / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      for (var i = 0u; i < MB; i++) { gemv_partial[i * WORKGROUP + lid] += gemv_partial[i * WORKGROUP + lid + s]; }
    }
    workgroupBarrier();
  }
  if (t < MB && n < params.n && m0 + t < params.m) {
    out[(m0 + t) * params.n + n] = gemv_partial[t * WORKGROUP + r * TPR];
  }
}
