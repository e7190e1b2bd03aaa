// v3-subgroup-scan: v2's fused chunked scan with the chunk chain done by a subgroup scan
// (v3-chain-subgroup.wgsl) or, without subgroups, by a serial chain in workgroup memory
// (v3-chain-shared.wgsl); the host appends one of the two to this body. With SINGLE_EXP each
// exp2(A dt) is evaluated once (phases below); otherwise phase C rescans as v2 does.
// Measured 2x slower than v2 on the H200 (docs/perf-notes.md), so not picked automatically.
// A workgroup owns CHANNELS channels of one batch row; invocation lid = g * CHUNKS + k owns STEPS
// consecutive timesteps (chunk k) of channel g, so a segment of CHUNKS * STEPS timesteps is scanned
// in parallel and segments follow one another with the state carried in workgroup memory.
// Per segment and per tile of TILE_STATES states:
//   A. scan the chunk from a zero state: h_local, the running decay P_t = prod exp2(A dt) and
//      y_local_t = C_t . h_local_t; keep w_t = C_t * P_t (STEPS x TILE_STATES registers);
//   B. chain_tile: the chunks' start states h_in from the (P_end, h_local_end) pairs;
//   C. y_t += w_t . h_in (h_t = P_t h_in + h_local_t), FMAs only: no second exp, no B/C reload.
// Bindings, views and Params as v2 (u, delta, z, y: (batch, dInner, seqLen) views; B, C: vec4
// row views, dState padded to n_pad with zeros; A: (dInner, dState); D, delta_bias: (dInner);
// state: (batch, dInner, dState), read first with FLAG_INIT). The builder generates them and the
// constants SINGLE_EXP, CHANNELS, CHUNKS (a power of two), STEPS, TILE_STATES (a multiple of 4),
// MAX_STATE and the FLAG_* bits; v2's channel, step inputs, views and tile steps come from the
// chunked-scan libraries (chunked-*.wgsl).

const WG_SIZE: u32 = CHANNELS * CHUNKS;

// The state entering each segment, double-buffered by segment parity: carry[parity][g][n].
var<workgroup> carry: array<f32, 2 * CHANNELS * MAX_STATE>;

fn carry_index(parity: u32, g: u32, n: u32) -> u32 {
  return (parity * CHANNELS + g) * MAX_STATE + n;
}

fn scan_body(wid: vec3<u32>, groups: vec3<u32>, lid: u32, sg_size: u32) {
  let g = lid / CHUNKS;
  let k = lid % CHUNKS;
  let ch = scan_channel(wid, groups, g);
  let seq_len = params.seq_len;
  let views = channel_views(ch.b, ch.d);
  let has_init = (params.flags & FLAG_INIT) != 0u;
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;
  let has_z = (params.flags & FLAG_Z) != 0u;

  for (var p = lid; p < CHANNELS * params.n_pad; p += WG_SIZE) {
    let gg = p / params.n_pad;
    let n = p % params.n_pad;
    var v = 0.0;
    if (has_init && ch.group_ok && ch.d0 + gg < params.d_inner && n < params.d_state) {
      v = state[(ch.b * params.d_inner + ch.d0 + gg) * params.d_state + n];
    }
    carry[carry_index(0u, gg, n)] = v;
  }
  workgroupBarrier();

  let bias = select(0.0, delta_bias[ch.d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, d_skip[ch.d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var segment = 0u; segment < params.n_segments; segment++) {
    let t0 = (segment * CHUNKS + k) * STEPS;
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    let dt_sum = lane_inputs(ch, t0, views.u, params.u_stride2, views.delta, params.delta_stride2, bias,
                             softplus_dt, &x, &dt);
    var dtu: array<f32, STEPS>;
    var y_acc: array<f32, STEPS>;
    for (var i = 0u; i < STEPS; i++) {
      dtu[i] = dt[i] * x[i];
      y_acc[i] = 0.0;
    }

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      let a2 = tile_scaled_a(ch.d, n0);
      var decay: array<f32, TILE_STATES>;
      var h: array<f32, TILE_STATES>;
      var w: array<f32, select(1u, STEPS * TILE_STATES, SINGLE_EXP)>;
      for (var j = 0u; j < TILE_STATES; j++) {
        decay[j] = 1.0;
        h[j] = 0.0;
      }
      if (SINGLE_EXP) {
        // A: scan the chunk from a zero state, one exp2 per (t, n).
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          let b_row = views.b_rows + t * params.b_rows_stride1 + n0 / 4u;
          let c_row = views.c_rows + t * params.c_rows_stride1 + n0 / 4u;
          var acc = 0.0;
          for (var q = 0u; q < QUADS; q++) {
            let bv = b_rows[b_row + q];
            let cv = c_rows[c_row + q];
            for (var e = 0u; e < 4u; e++) {
              let j = q * 4u + e;
              let da = ssm_decay_log2(a2[j], dt[i]);
              decay[j] *= da;
              h[j] = ssm_state_step(h[j], da, dtu[i], bv[e]);
              acc += cv[e] * h[j];
              w[i * TILE_STATES + j] = cv[e] * decay[j];
            }
          }
          y_acc[i] += acc;
        }
        // B: each chunk's true start state.
        let h_in = chain_tile(lid, g, k, ch.d0, sg_size, segment & 1u, (segment * n_tiles + tile) & 1u, n0,
                              decay, h, dt_sum);
        // C: add the start state's contribution C_t . (P_t h_in).
        for (var i = 0u; i < STEPS; i++) {
          var acc = 0.0;
          for (var j = 0u; j < TILE_STATES; j++) {
            acc += w[i * TILE_STATES + j] * h_in[j];
          }
          y_acc[i] += acc;
        }
      } else {
        // A (as v2): the chunk's end state from a zero state; its decay is exp2(A sum dt).
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          tile_step(&h, a2, dt[i], dtu[i], views.b_rows + t * params.b_rows_stride1 + n0 / 4u);
        }
        for (var j = 0u; j < TILE_STATES; j++) {
          decay[j] = ssm_decay_log2(a2[j], dt_sum);
        }
        // B: each chunk's true start state.
        h = chain_tile(lid, g, k, ch.d0, sg_size, segment & 1u, (segment * n_tiles + tile) & 1u, n0,
                       decay, h, dt_sum);
        // C (as v2): rescan from the start state and read out y.
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          let b_row = views.b_rows + t * params.b_rows_stride1 + n0 / 4u;
          let c_row = views.c_rows + t * params.c_rows_stride1 + n0 / 4u;
          y_acc[i] += tile_step_readout(&h, a2, dt[i], dtu[i], b_row, c_row);
        }
      }
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (ch.valid && t < seq_len) {
        var out = ssm_skip(y_acc[i], skip, u[views.u + t * params.u_stride2]);
        if (has_z) { out = ssm_gate(out, z[views.z + t * params.z_stride2]); }
        y[views.y + t * params.y_stride2] = out;
      }
    }
  }

  workgroupBarrier();
  let last = params.n_segments & 1u;
  for (var p = lid; p < CHANNELS * params.d_state; p += WG_SIZE) {
    let gg = p / params.d_state;
    let n = p % params.d_state;
    if (ch.group_ok && ch.d0 + gg < params.d_inner) {
      state[(ch.b * params.d_inner + ch.d0 + gg) * params.d_state + n] = carry[carry_index(last, gg, n)];
    }
  }
}
