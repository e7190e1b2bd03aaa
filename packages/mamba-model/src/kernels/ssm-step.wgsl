// Decode step of the selective SSM, fused: the conv step (u = silu(conv(state, x) + bias), with
// the conv state shifted in place), dt_proj (+ bias, softplus), discretisation, ssm state update
// in place, C readout, D skip and z gate. A workgroup holds 16 channels x 16 lanes: the lanes of
// a channel split dt_proj's rank and the states, and reduce through workgroup memory.
// xz: (batch, 2*dInner) (x = [0, dInner), z = [dInner, 2*dInner)); conv_state: (batch, dInner,
// width), newest last; pack: (dInner, width + 3 + dState) rows [conv weight | conv bias |
// dt bias | D | A = -exp(A_log)] (7 storage bindings in all: WebGPU's default limit is 8);
// dbl: (batch, dtRank + 2*dState) = [dt | B | C]; dt_weight: (dInner, dtRank) any float dtype;
// state: (batch, dInner, dState); y: (batch, dInner).

const LANES: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> xz: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv_state: array<f32>;
@group(0) @binding(3) var<storage, read> pack: array<f32>;
@group(0) @binding(4) var<storage, read> dbl: array<f32>;
@group(0) @binding(5) var<storage, read> dt_weight: array<DT_WEIGHT_TYPE>;
@group(0) @binding(6) var<storage, read_write> state: array<f32>;
@group(0) @binding(7) var<storage, read_write> y: array<f32>;

var<workgroup> red: array<f32, 256>;

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

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let d_inner = params.d_inner;
  let lane = lid % LANES;
  let channel = (wid.x + wid.y * groups.x) * (256u / LANES) + lid / LANES;
  let valid = channel < params.batch * d_inner;
  let i = min(channel, params.batch * d_inner - 1u);
  let b = i / d_inner;
  let d = i % d_inner;
  let rank = params.dt_rank;
  let n_state = params.d_state;
  let width = params.width;
  let row = b * (rank + 2u * n_state);
  let prow = d * (width + 3u + n_state); // this channel's pack row

  // Conv step (every lane computes u; lane 0 shifts the state after all have read it).
  let x = xz[b * 2u * d_inner + d];
  var conv = pack[prow + width];
  let base = i * width;
  for (var w = 0u; w + 1u < width; w++) { conv += pack[prow + w] * conv_state[base + w + 1u]; }
  conv += pack[prow + width - 1u] * x;
  let u = conv / (1.0 + exp(-conv));

  // dt = dt_bias + dt_proj row . dt, split over lanes.
  var part = 0.0;
  for (var r = lane; r < rank; r += LANES) { part += load_dt_weight(d * rank + r) * dbl[row + r]; }
  let dt = pack[prow + width + 1u] + lane_sum(lid, lane, part);
  let delta = select(log(1.0 + exp(dt)), dt, dt > 20.0);
  let dx = delta * u;

  var acc = 0.0;
  for (var n = lane; n < n_state; n += LANES) {
    let s = i * n_state + n;
    let h = exp(delta * pack[prow + width + 3u + n]) * state[s] + dx * dbl[row + rank + n];
    if (valid) { state[s] = h; }
    acc += h * dbl[row + rank + n_state + n];
  }
  let total = lane_sum(lid, lane, acc);
  if (valid && lane == 0u) {
    for (var w = 0u; w + 1u < width; w++) { conv_state[base + w] = conv_state[base + w + 1u]; }
    conv_state[base + width - 1u] = x;
    let z = xz[b * 2u * d_inner + d_inner + d];
    y[i] = (total + pack[prow + width + 2u] * u) * (z / (1.0 + exp(-z)));
  }
}
