// causalConv1dUpdate v2-gemv: x_proj of a decode step with the conv step fused as its prologue,
// out (m, n) = W (n, K) @ act(bias + conv over (conv_state[1..width), x))^T. The conv state is read
// as if shifted and left unchanged: many workgroups read it, and the selective state update's
// fused step (v2-fused-step) shifts it after using it. Sizes and the GEMV half: prologue-gemv.
// x: a (m, K) view; conv_state: (m, K, width), newest last; conv_w: (K, width); conv_b: (K);
// w: (n, K) any float dtype; out: (m, n).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let m0 = wid.z * MB;
  let width = params.width;
  for (var i = 0u; i < MB; i++) {
    let row = min(m0 + i, params.m - 1u);
    for (var c4 = lid; c4 < K / 4u; c4 += WORKGROUP) {
      var u4: vec4<f32>;
      for (var j = 0u; j < 4u; j++) {
        let c = c4 * 4u + j;
        let base = (row * K + c) * width;
        var taps = 0.0;
        for (var tap = 0u; tap + 1u < width; tap++) { taps += conv_w[c * width + tap] * conv_state[base + tap + 1u]; }
        taps += conv_w[c * width + width - 1u] * x[x_at(row, c)];
        u4[j] = conv_output(taps, select(0.0, conv_b[c], HAS_BIAS), SILU);
      }
      gemv_rows[i * K / 4u + c4] = u4;
    }
  }
  workgroupBarrier();
  gemv_store(wid.x + wid.y * groups.x, m0, lid);
}
