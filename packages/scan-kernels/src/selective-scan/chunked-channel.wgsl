// Library `chunked-scan/channel`: how an invocation of a chunked scan (v2-chunked, v3-subgroup-scan,
// the training forward, the backward) finds its channel, its lane's timestep inputs, a tile's
// scaled A, and which (channel, state) of a tile an invocation of a chain owns.
// Contract with the kernel that includes it: the constants CHANNELS, STEPS and TILE_STATES, the
// Params fields batch, groups_per_batch, d_inner, d_state and seq_len, f32 bindings `u` and
// `delta`, and `scaled_a(d, n)` (A * log2(e) of state n of channel d, 0 for padded states).
// Uses `ssm-math`.

// The channel an invocation works on. A workgroup owns a block of CHANNELS channels d0.. of batch
// row b (groups_per_batch blocks per row, a dispatch1d grid); group_ok is false for workgroups
// past the end, valid also for channels past d_inner; b and d are clamped so indices stay in bounds.
struct ScanChannel {
  b: u32,
  block: u32,
  d0: u32,
  d: u32,
  group_ok: bool,
  valid: bool,
}

// The channel d0 + g of this workgroup's block.
fn scan_channel(wid: vec3<u32>, groups: vec3<u32>, g: u32) -> ScanChannel {
  let group = wid.x + wid.y * groups.x;
  let block = group % params.groups_per_batch;
  let d0 = block * CHANNELS;
  let group_ok = group < params.batch * params.groups_per_batch;
  return ScanChannel(min(group / params.groups_per_batch, params.batch - 1u), block, d0,
                     min(d0 + g, params.d_inner - 1u), group_ok, group_ok && d0 + g < params.d_inner);
}

// One timestep's (u, dt = ssm_dt(delta, bias)) at the given indices, read only when `ok`; (0, 0)
// otherwise (steps past seqLen: dt = 0 passes the state through unchanged).
fn scan_step_inputs(ok: bool, u_index: u32, delta_index: u32, bias: f32, softplus_dt: bool) -> vec2<f32> {
  var v = vec2<f32>(0.0);
  if (ok) { v = vec2<f32>(u[u_index], ssm_dt(delta[delta_index], bias, softplus_dt)); }
  return v;
}

// A lane's STEPS timesteps t0.. of channel ch: u in (*x)[i] and dt = ssm_dt(delta, bias) in
// (*dt)[i], read at u_base + t * u_stride and delta_base + t * delta_stride ((0, 0) past seqLen or
// for a channel past dInner); returns the lane's sum of dt, in step order.
fn lane_inputs(ch: ScanChannel, t0: u32, u_base: u32, u_stride: u32, delta_base: u32, delta_stride: u32,
               bias: f32, softplus_dt: bool, x: ptr<function, array<f32, STEPS>>,
               dt: ptr<function, array<f32, STEPS>>) -> f32 {
  var dt_sum = 0.0;
  for (var i = 0u; i < STEPS; i++) {
    let t = t0 + i;
    let inputs = scan_step_inputs(ch.valid && t < params.seq_len, u_base + t * u_stride,
                                  delta_base + t * delta_stride, bias, softplus_dt);
    (*x)[i] = inputs.x;
    (*dt)[i] = inputs.y;
    dt_sum += inputs.y;
  }
  return dt_sum;
}

// A * log2(e) of the states n0.. of a tile of channel d (scaled_a of each).
fn tile_scaled_a(d: u32, n0: u32) -> array<f32, TILE_STATES> {
  var a2: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    a2[j] = scaled_a(d, n0 + j);
  }
  return a2;
}

// A tile of states set to 0 (explicitly: a `var` declared in a loop is not re-zeroed each
// iteration on every WebGPU implementation, lavapipe's for one).
fn zero_tile() -> array<f32, TILE_STATES> {
  var h: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    h[j] = 0.0;
  }
  return h;
}

// The (channel, state) of a tile that index p (< CHANNELS * TILE_STATES) of a chain owns: channel
// d0 + gg of the block (dd: clamped to a real channel), state n = n0 + j; ok when both are real.
struct TileState {
  gg: u32,
  j: u32,
  n: u32,
  dd: u32,
  ok: bool,
}

fn tile_state(ch: ScanChannel, p: u32, n0: u32) -> TileState {
  let gg = p % CHANNELS;
  let j = p / CHANNELS;
  let ok = ch.group_ok && ch.d0 + gg < params.d_inner && n0 + j < params.d_state;
  return TileState(gg, j, n0 + j, min(ch.d0 + gg, params.d_inner - 1u), ok);
}
