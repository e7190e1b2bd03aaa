// The training forward: v2-chunked's fused scan (selective-scan/v2-chunked.wgsl) that also saves
// the state at the start of every chunk, the only thing the backward needs besides the inputs.
// A workgroup owns CHANNELS channels of one batch row; its CHANNELS * LANES invocations each own
// STEPS consecutive timesteps (lid = channel + CHANNELS * lane), so one chunk of CHUNK = LANES *
// STEPS timesteps is scanned in parallel and chunks follow one another with the state carried in
// workgroup memory. Per chunk and tile of TILE_STATES states:
//   A. each invocation scans its steps from a zero state -> its local end state (and sum of dt);
//   B. CHANNELS * TILE_STATES invocations save the carried state as the chunk's start state, then
//      chain the lane summaries (h = exp(A sum dt) h + h_end): each lane's true start state;
//   C. each invocation rescans its steps from its start state and accumulates y = C . h.
// u, delta, z, y: (batch, dInner, seqLen); channel: A (dInner, dState) | D (dInner) | delta_bias
// (dInner) at params.chan_d / chan_bias; B, C: (batch, dState, seqLen); state: (batch,
// dInner, dState), holding the initial state on entry when FLAG_INIT; chunk_states: (batch,
// dInner, n_chunks, dState). The header defines CHANNELS, LANES, STEPS, TILE_STATES, MAX_STATE and
// the FLAG_* bits; the channel, step inputs, lane chain and carry are v2's, the tile steps over
// the B and C columns the backward's (the chunked-scan libraries, selective-scan/chunked-*.wgsl).

const WG_SIZE: u32 = CHANNELS * LANES;
const CHUNK: u32 = LANES * STEPS;

/** A * log2(e) for state n of channel d (0 for padding states: exp2(0) = 1 keeps them at 0). */
fn scaled_a(d: u32, n: u32) -> f32 {
  return select(0.0, channel[d * params.d_state + min(n, params.d_state - 1u)] * SSM_LOG2E, n < params.d_state);
}

/** B at (b, n, t); 0 for padding states. */
fn b_at(b: u32, n: u32, t: u32) -> f32 {
  return select(0.0, b_matrix[bc_index(b, n, t)], n < params.d_state);
}

/** C at (b, n, t); 0 for padding states. */
fn c_at(b: u32, n: u32, t: u32) -> f32 {
  return select(0.0, c_matrix[bc_index(b, n, t)], n < params.d_state);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let k = lid / CHANNELS;
  let ch = scan_channel(wid, groups, lid % CHANNELS);
  let b = ch.b;
  let seq_len = params.seq_len;
  let row = (b * params.d_inner + ch.d) * seq_len;
  let has_z = (params.flags & FLAG_Z) != 0u;
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;

  carry_init(lid, ch);
  workgroupBarrier();

  let bias = select(0.0, channel[params.chan_bias + ch.d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, channel[params.chan_d + ch.d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var chunk = 0u; chunk < params.n_chunks; chunk++) {
    let t0 = chunk * CHUNK + k * STEPS;
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    lane_dt[lid] = lane_inputs(ch, t0, row, 1u, row, 1u, bias, softplus_dt, &x, &dt);
    var y_acc: array<f32, STEPS>;
    for (var i = 0u; i < STEPS; i++) {
      y_acc[i] = skip * x[i];
    }

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      let a2 = tile_scaled_a(ch.d, n0);
      var h = zero_tile();
      // A: scan this lane's steps from a zero state.
      for (var i = 0u; i < STEPS; i++) {
        tile_step_columns(&h, a2, dt[i], dt[i] * x[i], b, n0, min(t0 + i, seq_len - 1u));
      }
      lane_publish(lid, h);
      workgroupBarrier();
      // B: save the chunk's start state, then chain the lane summaries of each (channel, state).
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let s = tile_state(ch, p, n0);
        let slot = s.gg * MAX_STATE + s.n;
        let c = carry[slot];
        if (s.ok) { chunk_states[((b * params.d_inner + s.dd) * params.n_chunks + chunk) * params.d_state + s.n] = c; }
        carry[slot] = lane_chain(s.j, s.gg, CHANNELS, LANES, scaled_a(s.dd, s.n), c);
      }
      workgroupBarrier();
      // C: rescan from the true start state and read out y.
      h = lane_start_states(lid);
      for (var i = 0u; i < STEPS; i++) {
        y_acc[i] += tile_step_readout_columns(&h, a2, dt[i], dt[i] * x[i], b, n0, min(t0 + i, seq_len - 1u));
      }
      workgroupBarrier();
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (ch.valid && t < seq_len) {
        var out = y_acc[i];
        if (has_z) { out = ssm_gate(out, z[row + t]); }
        y[row + t] = out;
      }
    }
  }

  carry_store(lid, ch);
}
