// rmsNormMatmul v2-prologue-gemv: in_proj of a decode step with its RMSNorm fused as the
// prologue, out (m, n) = W (n, K) @ (rmsnorm(x) * norm_w)^T. Each workgroup normalises the MB rows
// of its z-slice into gemv_rows (sum of squares reduced in workgroup memory), then runs the GEMV
// half (library prologue-gemv, which also sets the sizes).
// x: (m, K) f32; norm_w: (K) f32; w: (n, K) any float dtype; out: (m, n) f32.

var<workgroup> red: array<f32, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let m0 = wid.z * MB;
  for (var i = 0u; i < MB; i++) {
    let row = min(m0 + i, params.m - 1u);
    var ss = 0.0;
    for (var c = lid; c < K / 4u; c += WORKGROUP) {
      let v = load4_x(row * K + c * 4u);
      gemv_rows[i * K / 4u + c] = v;
      ss += dot(v, v);
    }
    red[lid] = ss;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
      if (lid < s) { red[lid] += red[lid + s]; }
      workgroupBarrier();
    }
    let inv = inverseSqrt(red[0] / f32(K) + params.eps);
    workgroupBarrier();
    for (var c = lid; c < K / 4u; c += WORKGROUP) {
      gemv_rows[i * K / 4u + c] = gemv_rows[i * K / 4u + c] * inv * load4_norm_w(c * 4u);
    }
  }
  workgroupBarrier();
  gemv_store(wid.x + wid.y * groups.x, m0, lid);
}
