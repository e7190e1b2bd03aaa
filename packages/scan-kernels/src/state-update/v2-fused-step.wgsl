// selectiveStateUpdate v2-fused-step: the SSM half of the model's decode step in one dispatch:
// the conv step (u = silu(conv(state, x) + bias), shifting the conv state in place), dt_proj
// (+ bias, softplus), the state update in place, the C readout, D skip and z gate. A workgroup
// holds CHANNELS channels x LANES lanes: the lanes of a channel split dt_proj's rank and the
// states, and reduce through workgroup memory.
// x_src holds the views x, z (batch, d_inner) (in the model: in_proj's output xz); dt_src the
// views dt (batch, dt_rank), B, C (batch, d_state) (x_proj's output [dt | B | C]); conv_state:
// (batch, d_inner, width), newest last; pack: prepare()'s [conv weight (d_inner, width) | conv
// bias | dt bias | D (d_inner each) | A (d_inner, d_state)] at the Params offsets; dt_weight:
// (d_inner, dt_rank) any float dtype; state: (batch, d_inner, d_state); y: (batch, d_inner).
// 7 storage bindings: WebGPU's default limit is 8.

var<workgroup> red: array<f32, WORKGROUP>;

fn lane_sum(lid: u32, lane: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lane < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let total = red[lid - lane];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let d_inner = params.d_inner;
  let lane = lid % LANES;
  let channel = (wid.x + wid.y * groups.x) * CHANNELS + lid / LANES;
  let valid = channel < params.batch * d_inner;
  let i = min(channel, params.batch * d_inner - 1u);
  let b = i / d_inner;
  let d = i % d_inner;
  let rank = params.dt_rank;
  let n_state = params.d_state;
  let width = params.width;

  // Conv step (every lane computes u; lane 0 shifts the state after all have read it).
  let x = x_src[x_at(b, d)];
  let base = i * width;
  let row = d * width;
  var taps = 0.0;
  for (var tap = 0u; tap + 1u < width; tap++) { taps += pack[row + tap] * conv_state[base + tap + 1u]; }
  taps += pack[row + width - 1u] * x;
  let u = conv_output(taps, pack[params.pack_conv_bias + d], true);

  // delta = softplus(dt_proj row . dt + dt_bias), the row split over lanes.
  var part = 0.0;
  for (var r = lane; r < rank; r += LANES) { part += load_dt_weight(d * rank + r) * dt_src[dt_at(b, r)]; }
  let delta = ssm_dt(lane_sum(lid, lane, part), pack[params.pack_dt_bias + d], SOFTPLUS);
  let dx = delta * u;

  var acc = 0.0;
  for (var n = lane; n < n_state; n += LANES) {
    let s = i * n_state + n;
    let decay = ssm_decay(pack[params.pack_a + d * n_state + n], delta);
    let h = ssm_state_step(state[s], decay, dx, dt_src[b_at(b, n)]);
    if (valid) { state[s] = h; }
    acc += h * dt_src[c_at(b, n)];
  }
  let total = lane_sum(lid, lane, acc);
  if (valid && lane == 0u) {
    for (var tap = 0u; tap + 1u < width; tap++) { conv_state[base + tap] = conv_state[base + tap + 1u]; }
    conv_state[base + width - 1u] = x;
    var result = ssm_skip(total, pack[params.pack_d + d], u);
    if (HAS_Z) { result = ssm_gate(result, x_src[z_at(b, d)]); }
    y[i] = result;
  }
}
