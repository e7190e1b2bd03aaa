// Library `chunked-scan/lane-chain`: phase B of the chunked scans in workgroup memory. Each lane
// (an invocation: STEPS consecutive timesteps of one channel) publishes its sum of dt and its tile
// of states after its steps from a zero state; then one invocation per (channel, state) chains the
// channel's lanes in time order, h = exp(A sum dt) h + h_end, leaving each lane's true start state.
// Contract with the kernel that includes it: the constants WG_SIZE (invocations) and TILE_STATES.
// Uses `ssm-math` (ssm_decay_log2).

// Rows padded by one: the chain reads down a column of lanes without bank conflicts.
const H_STRIDE: u32 = WG_SIZE + 1u;

// Each lane's sum of dt over its steps (the kernel writes lane_dt[lid]), and its states by
// (state j, lane slot): its end states from lane_publish, its start states after lane_chain.
var<workgroup> lane_dt: array<f32, WG_SIZE>;
var<workgroup> lane_h: array<f32, H_STRIDE * TILE_STATES>;

// Publishes this lane's tile of states (after its steps from a zero state) for lane_chain.
fn lane_publish(lid: u32, h: array<f32, TILE_STATES>) {
  for (var j = 0u; j < TILE_STATES; j++) {
    lane_h[j * H_STRIDE + lid] = h[j];
  }
}

// Chains state j of the tile through `count` lanes in time order (lane kk at slot first + kk *
// step) from `start`, the state entering the first: each lane's published state is replaced by
// the state entering it; returns the state leaving the last. a_log2: A * log2(e) of the state.
fn lane_chain(j: u32, first: u32, step: u32, count: u32, a_log2: f32, start: f32) -> f32 {
  var c = start;
  for (var kk = 0u; kk < count; kk++) {
    let slot = first + kk * step;
    let h_end = lane_h[j * H_STRIDE + slot];
    lane_h[j * H_STRIDE + slot] = c;
    c = ssm_decay_log2(a_log2, lane_dt[slot]) * c + h_end;
  }
  return c;
}

// This lane's tile of start states, after lane_chain (and a barrier).
fn lane_start_states(lid: u32) -> array<f32, TILE_STATES> {
  var h: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    h[j] = lane_h[j * H_STRIDE + lid];
  }
  return h;
}
