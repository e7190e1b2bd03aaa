// v2-chunked: the fused scan. A workgroup owns CHANNELS channels of one batch row; its
// CHANNELS * CHUNKS invocations each own STEPS consecutive timesteps of one channel, so a segment
// of CHUNKS * STEPS timesteps is scanned in parallel, and segments follow one another with the
// state carried in workgroup memory (no waiting on other workgroups). Per segment and per tile of
// TILE_STATES states:
//   A. each invocation scans its chunk from a zero state (registers) -> chunk end state, sum(dt);
//   B. CHANNELS * TILE_STATES invocations chain the chunk summaries (h = exp(A*sum dt) h + h_end),
//      leaving each chunk's true start state in workgroup memory and the carry for the next segment;
//   C. each invocation rescans its chunk from its start state and accumulates y = C . h.
// u, delta and the dt = softplus(delta + bias) stay in registers across tiles; y is written once,
// fused with D * u and the silu(z) gate; the last state is written once per channel.
// u, delta, z, y: (batch, dInner, seqLen) views (u_at(b, d, t)...); A: (dInner, dState);
// B, C rows: vec4 views (b_rows_at(b, t, quad)): time-major, dState padded to n_pad with zeros
// (x_proj's rows read in place, or the packed [B | C] rows); D, delta_bias: (dInner);
// state: (batch, dInner, dState), read first with FLAG_INIT.
// The builder generates the bindings, the view helpers and the constants CHANNELS, CHUNKS, STEPS,
// TILE_STATES (a multiple of 4), MAX_STATE and the FLAG_* bits of params.flags (run-time, so one
// pipeline serves every combination; the branches are uniform). The chunked-scan libraries hold
// what v3 and the training kernels share with it: the channel and step inputs, the chain, the
// carry, the tile steps over the B/C rows (chunked-*.wgsl).

const WG_SIZE: u32 = CHANNELS * CHUNKS;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = lid % CHANNELS;
  let k = lid / CHANNELS;
  let ch = scan_channel(wid, groups, g);
  let seq_len = params.seq_len;
  let views = channel_views(ch.b, ch.d);
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;
  let has_z = (params.flags & FLAG_Z) != 0u;

  carry_init(lid, ch);
  workgroupBarrier();

  let bias = select(0.0, delta_bias[ch.d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, d_skip[ch.d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var segment = 0u; segment < params.n_segments; segment++) {
    let t0 = (segment * CHUNKS + k) * STEPS;
    // The loads and the tile setup stay inline here (the chunked-scan/channel library has them as
    // lane_inputs, tile_scaled_a and zero_tile for the other kernels): through those functions
    // this kernel measured 11% slower on the H200 (0.807 vs 0.728 ms at (8,1536,2048,16),
    // docs/benchmarks/issue-10/scan-3cf1bf3.json), the only scan version that lost time.
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    var y_acc: array<f32, STEPS>;
    var dt_sum = 0.0;
    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      let inputs = scan_step_inputs(ch.valid && t < seq_len, views.u + t * params.u_stride2,
                                    views.delta + t * params.delta_stride2, bias, softplus_dt);
      x[i] = inputs.x;
      dt[i] = inputs.y;
      y_acc[i] = 0.0;
      dt_sum += inputs.y;
    }
    lane_dt[lid] = dt_sum;

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      var a2: array<f32, TILE_STATES>;
      var h: array<f32, TILE_STATES>;
      for (var j = 0u; j < TILE_STATES; j++) {
        a2[j] = scaled_a(ch.d, n0 + j);
        h[j] = 0.0;
      }
      // A: scan the chunk from a zero state.
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        tile_step(&h, a2, dt[i], dt[i] * x[i], views.b_rows + t * params.b_rows_stride1 + n0 / 4u);
      }
      lane_publish(lid, h);
      workgroupBarrier();
      // B: chain the chunk summaries of each (channel, state); keep each chunk's start state.
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let s = tile_state(ch, p, n0);
        let slot = s.gg * MAX_STATE + s.n;
        carry[slot] = lane_chain(s.j, s.gg, CHANNELS, CHUNKS, scaled_a(s.dd, s.n), carry[slot]);
      }
      workgroupBarrier();
      // C: rescan from the true start state and read out y.
      h = lane_start_states(lid);
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        let b_row = views.b_rows + t * params.b_rows_stride1 + n0 / 4u;
        let c_row = views.c_rows + t * params.c_rows_stride1 + n0 / 4u;
        y_acc[i] += tile_step_readout(&h, a2, dt[i], dt[i] * x[i], b_row, c_row);
      }
      workgroupBarrier();
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (ch.valid && t < seq_len) {
        var out = ssm_skip(y_acc[i], skip, x[i]);
        if (has_z) { out = ssm_gate(out, z[views.z + t * params.z_stride2]); }
        y[views.y + t * params.y_stride2] = out;
      }
    }
  }

  carry_store(lid, ch);
}
