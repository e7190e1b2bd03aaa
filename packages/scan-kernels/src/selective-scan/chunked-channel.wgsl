// Library `chunked-scan/channel`: how an invocation of a chunked scan (v2-chunked, v3-subgroup-scan,
// the training forward, the backward) finds its channel, one timestep's inputs, and which
// (channel, state) of a tile an invocation of a chain owns.
// Contract with the kernel that includes it: the constant CHANNELS, the Params fields batch,
// groups_per_batch, d_inner and d_state, and f32 bindings `u` and `delta`. Uses `ssm-math`.

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
