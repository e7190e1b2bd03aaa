// causalConv1dUpdate v1-plain: one decode step of the depthwise causal conv1d, one invocation per
// (batch, channel): shift the state left by one, append x, y = bias + sum(state * weight),
// optional SiLU. Without UPDATE_STATE the state is read as if shifted and left unchanged.
// x: a (batch, d_inner) view; y: (batch, d_inner); conv_state: (batch, d_inner, width);
// weight: (d_inner, width); bias: (d_inner).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let channel = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (channel >= params.batch * params.d_inner) { return; }
  let b = channel / params.d_inner;
  let d = channel % params.d_inner;
  let width = params.width;
  let base = channel * width;
  let xv = x[x_at(b, d)];
  var taps = 0.0;
  for (var tap = 0u; tap < width; tap++) {
    var v = xv;
    if (tap + 1u < width) { v = conv_state[base + tap + 1u]; }
    if (UPDATE_STATE) { conv_state[base + tap] = v; }
    taps += weight[d * width + tap] * v;
  }
  y[channel] = conv_output(taps, select(0.0, bias[d], HAS_BIAS), SILU);
}
