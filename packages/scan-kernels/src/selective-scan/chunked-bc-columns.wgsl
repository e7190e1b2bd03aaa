// Library `chunked-scan/bc-columns`: B and C as (batch, dState, seqLen) columns, the layout the
// training forward and the backward read (v2 and v3 read time-major vec4 rows instead:
// chunked-operands.wgsl), and the training forward's tile steps over them.
// Contract with the kernel that includes it: the constant TILE_STATES, the Params fields d_state
// and seq_len, and `b_at(b, n, t)` / `c_at(b, n, t)` (B and C at (b, n, t), 0 for padded states)
// over the kernel's bindings. Uses `ssm-math`.

// Index of (b, n, t) in B or C (batch, dState, seqLen), clamped to a real state.
fn bc_index(b: u32, n: u32, t: u32) -> u32 {
  return (b * params.d_state + min(n, params.d_state - 1u)) * params.seq_len + t;
}

// One timestep t of the tile of states n0.. of batch row b: h = exp2(a2 dt) h + dt_x B_t.
fn tile_step_columns(h: ptr<function, array<f32, TILE_STATES>>, a2: array<f32, TILE_STATES>, dt: f32,
                     dt_x: f32, b: u32, n0: u32, t: u32) {
  for (var j = 0u; j < TILE_STATES; j++) {
    (*h)[j] = ssm_state_step((*h)[j], ssm_decay_log2(a2[j], dt), dt_x, b_at(b, n0 + j, t));
  }
}

// The same step, returning the tile's readout C_t . h after it.
fn tile_step_readout_columns(h: ptr<function, array<f32, TILE_STATES>>, a2: array<f32, TILE_STATES>,
                             dt: f32, dt_x: f32, b: u32, n0: u32, t: u32) -> f32 {
  var acc = 0.0;
  for (var j = 0u; j < TILE_STATES; j++) {
    (*h)[j] = ssm_state_step((*h)[j], ssm_decay_log2(a2[j], dt), dt_x, b_at(b, n0 + j, t));
    acc += c_at(b, n0 + j, t) * (*h)[j];
  }
  return acc;
}
