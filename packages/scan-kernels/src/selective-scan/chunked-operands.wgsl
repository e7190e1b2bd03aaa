// Library `chunked-scan/operands`: what v2-chunked and v3-subgroup-scan share because they share
// their bindings: A scaled for exp2, the per-channel bases of the views, and one timestep of a tile
// of TILE_STATES states over the B and C rows.
// Contract with the kernel that includes it: the constant TILE_STATES (a multiple of 4), the
// Params field d_state, the bindings a_matrix (dInner, dState), the (batch, dInner, seqLen) views
// u, delta, z, y (`u_at`...) and the vec4 row views b_rows, c_rows (`b_rows_at(b, t, quad)`,
// dState padded to n_pad with zeros). Uses `ssm-math`.

const QUADS: u32 = TILE_STATES / 4u;

// A * log2(e) for state n of channel d (0 for padded states: exp2(0) = 1 keeps them at 0).
fn scaled_a(d: u32, n: u32) -> f32 {
  return select(0.0, a_matrix[d * params.d_state + min(n, params.d_state - 1u)] * SSM_LOG2E, n < params.d_state);
}

// The bases of channel (b, d) in the views: element (b, d, 0) of u, delta, z and y and row (b, 0)
// of the B and C rows; the time strides are added per step.
struct ChannelViews {
  u: u32,
  delta: u32,
  z: u32,
  y: u32,
  b_rows: u32,
  c_rows: u32,
}

fn channel_views(b: u32, d: u32) -> ChannelViews {
  return ChannelViews(u_at(b, d, 0u), delta_at(b, d, 0u), z_at(b, d, 0u), y_at(b, d, 0u),
                      b_rows_at(b, 0u, 0u), c_rows_at(b, 0u, 0u));
}

// One timestep of the tile: h = exp2(a2 dt) h + dt_x B_t, B_t the QUADS vec4s at b_rows[b_row].
fn tile_step(h: ptr<function, array<f32, TILE_STATES>>, a2: array<f32, TILE_STATES>, dt: f32, dt_x: f32,
             b_row: u32) {
  for (var q = 0u; q < QUADS; q++) {
    let bv = b_rows[b_row + q];
    for (var e = 0u; e < 4u; e++) {
      let j = q * 4u + e;
      (*h)[j] = ssm_state_step((*h)[j], ssm_decay_log2(a2[j], dt), dt_x, bv[e]);
    }
  }
}

// The same step, returning the tile's readout C_t . h after it (C_t at c_rows[c_row]).
fn tile_step_readout(h: ptr<function, array<f32, TILE_STATES>>, a2: array<f32, TILE_STATES>, dt: f32,
                     dt_x: f32, b_row: u32, c_row: u32) -> f32 {
  var acc = 0.0;
  for (var q = 0u; q < QUADS; q++) {
    let bv = b_rows[b_row + q];
    let cv = c_rows[c_row + q];
    for (var e = 0u; e < 4u; e++) {
      let j = q * 4u + e;
      (*h)[j] = ssm_state_step((*h)[j], ssm_decay_log2(a2[j], dt), dt_x, bv[e]);
      acc += cv[e] * (*h)[j];
    }
  }
  return acc;
}
