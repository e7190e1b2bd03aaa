// v1-chunked-reverse: the fused backward of the selective scan (the paper's section 3.3). A
// workgroup owns CHANNELS channels of one batch row and walks the chunks of CHUNK = LANES * STEPS
// timesteps in reverse; invocation lid = channel + CHANNELS * lane owns STEPS consecutive
// timesteps of its channel. No (..., seqLen, dState) tensor is read or written: each chunk's
// states are recomputed on chip from the saved chunk start state. Per chunk and tile of
// TILE_STATES states (a_t = exp(dt_t A), g_t = dy_t silu(z_t), mu_t = a_{t+1} lambda_{t+1} the
// adjoint flowing into h_t from the future, lambda_t = mu_t + C_t g_t = dLoss/dh_t):
//   A. each lane scans its steps from a zero state, keeping a_t and the local h_t in registers;
//   B. CHANNELS * TILE_STATES invocations chain the lane summaries from the saved chunk start
//      state (as the forward): each lane's true start state;
//   C. each lane corrects its h_t (+ prod(a) * h_start), accumulates out_t = C_t . h_t (for dz),
//      then runs its reverse recurrence from mu = 0: its summary mu_out = prod(a) mu_in + r;
//   D. CHANNELS * TILE_STATES invocations chain the reverse summaries from the adjoint carried
//      out of the later chunk (dLastState for the last one): each lane's incoming mu;
//   E. state by state, each lane reruns its reverse recurrence from its incoming mu and
//      accumulates du, d(dt) (registers, over states), dA (per lane, then over lanes in fixed
//      order); the dB, dC contributions of the CHANNELS channels are summed in workgroup memory
//      in fixed order and written as this channel block's partials.
// The adjoint left after chunk 0 is dInitialState. Everything is deterministic: every sum has a
// fixed order, no atomics. A v2 would parallelise the chunks: a first pass computing every chunk's
// (prod a, local adjoint) summary per (channel, state), a chain over chunks, then this kernel
// without the sequential chunk loop; and it would sum dB/dC over channels by subgroup operations.
//
// u, delta, z, dy, du, d_delta, dz: (batch, dInner, seqLen); chunk_states: (batch, dInner,
// n_chunks, dState); work (read_write): A (dInner, dState) at 0, D and delta_bias (dInner) at
// ws_d / ws_bias, B and C (batch, dState, seqLen) at ws_b / ws_c, the adjoint carry (batch,
// dInner, dState) at ws_mu (dLastState on entry when FLAG_DLAST, dInitialState on exit), dA
// partials (batch, dInner, dState) at ws_da, dD / dDeltaBias partials (batch, dInner, 2) at
// ws_dchan; dbc: dB partials (batch, n_blocks, dState, seqLen) at 0 and dC partials at dbc_c.
// The header defines CHANNELS, LANES, STEPS, TILE_STATES and the FLAG_* bits; the channel, step
// inputs and forward chain (phases A, B) are the training forward's (the chunked-scan libraries,
// selective-scan/chunked-*.wgsl), whose lane_h, after the chain, holds each tile's per-lane dA.

const WG_SIZE: u32 = CHANNELS * LANES;
const CHUNK: u32 = LANES * STEPS;
const HIST: u32 = STEPS * TILE_STATES;

// Reverse lane summaries -> lane incoming adjoints (rows padded as lane_h).
var<workgroup> rev_mu: array<f32, H_STRIDE * TILE_STATES>;
// dB (first STEPS rows) and dC (last STEPS rows) contributions of one state, [step][lid].
var<workgroup> red: array<f32, 2u * STEPS * WG_SIZE>;

/** A of channel d, state n (0 for padding states). */
fn a_at(d: u32, n: u32) -> f32 {
  return select(0.0, work[d * params.d_state + min(n, params.d_state - 1u)], n < params.d_state);
}

/** A * log2(e), for exp2 (0 for padding states). */
fn scaled_a(d: u32, n: u32) -> f32 {
  return a_at(d, n) * SSM_LOG2E;
}

/** B at (b, n, t); 0 for padding states. */
fn b_at(b: u32, n: u32, t: u32) -> f32 {
  return select(0.0, work[params.ws_b + bc_index(b, n, t)], n < params.d_state);
}

/** C at (b, n, t); 0 for padding states. */
fn c_at(b: u32, n: u32, t: u32) -> f32 {
  return select(0.0, work[params.ws_c + bc_index(b, n, t)], n < params.d_state);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let k = lid / CHANNELS;
  let ch = scan_channel(wid, groups, lid % CHANNELS);
  let b = ch.b;
  let d0 = ch.d0;
  let d = ch.d;
  let group_ok = ch.group_ok;
  let seq_len = params.seq_len;
  let row = (b * params.d_inner + d) * seq_len;
  let has_z = (params.flags & FLAG_Z) != 0u;
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;
  let bias = select(0.0, work[params.ws_bias + d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, work[params.ws_d + d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;
  var d_skip_lane = 0.0;
  var d_bias_lane = 0.0;

  for (var step_back = 0u; step_back < params.n_chunks; step_back++) {
    let chunk = params.n_chunks - 1u - step_back;
    let t0 = chunk * CHUNK + k * STEPS;
    // Per-step inputs; steps past seqLen get dt = 0, u = 0, g = 0: a = 1 passes h and mu through.
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    lane_dt[lid] = lane_inputs(ch, t0, row, 1u, row, 1u, bias, softplus_dt, &x, &dt);
    var gy: array<f32, STEPS>;
    var out_acc: array<f32, STEPS>;
    var du_acc: array<f32, STEPS>;
    var ddt_acc: array<f32, STEPS>;
    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      var gv = 0.0;
      if (ch.valid && t < seq_len) {
        gv = dy[row + t];
        if (has_z) { gv = ssm_gate(gv, z[row + t]); }
      }
      gy[i] = gv;
      out_acc[i] = skip * x[i];
      du_acc[i] = skip * gv;
      ddt_acc[i] = 0.0;
    }

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      let a2 = tile_scaled_a(d, n0);
      var h = zero_tile();
      var a_hist: array<f32, HIST>;
      var h_hist: array<f32, HIST>;
      // A: local forward scan from zero.
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        let dtu = dt[i] * x[i];
        for (var j = 0u; j < TILE_STATES; j++) {
          let a = ssm_decay_log2(a2[j], dt[i]);
          h[j] = ssm_state_step(h[j], a, dtu, b_at(b, n0 + j, t));
          a_hist[i * TILE_STATES + j] = a;
          h_hist[i * TILE_STATES + j] = h[j];
        }
      }
      lane_publish(lid, h);
      workgroupBarrier();
      // B: forward chain from the saved chunk start state.
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let s = tile_state(ch, p, n0);
        var c = 0.0;
        if (s.ok) { c = chunk_states[((b * params.d_inner + s.dd) * params.n_chunks + chunk) * params.d_state + s.n]; }
        _ = lane_chain(s.j, s.gg, CHANNELS, LANES, scaled_a(s.dd, s.n), c);
      }
      workgroupBarrier();
      // C: true states h_t = h_local_t + prod(a up to t) h_start; out_t; local reverse summary.
      for (var j = 0u; j < TILE_STATES; j++) {
        let h_start = lane_h[j * H_STRIDE + lid];
        var prod = 1.0;
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          prod *= a_hist[i * TILE_STATES + j];
          let hv = h_hist[i * TILE_STATES + j] + prod * h_start;
          h_hist[i * TILE_STATES + j] = hv;
          out_acc[i] += c_at(b, n0 + j, t) * hv;
        }
        var mu = 0.0;
        for (var step = 0u; step < STEPS; step++) {
          let i = STEPS - 1u - step;
          let t = min(t0 + i, seq_len - 1u);
          mu = a_hist[i * TILE_STATES + j] * (mu + c_at(b, n0 + j, t) * gy[i]);
        }
        rev_mu[j * H_STRIDE + lid] = mu;
      }
      workgroupBarrier();
      // D: reverse chain from the adjoint carried out of the later chunk.
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let s = tile_state(ch, p, n0);
        let carry = params.ws_mu + (b * params.d_inner + s.dd) * params.d_state + s.n;
        var mu = 0.0;
        if (s.ok && (chunk + 1u < params.n_chunks || (params.flags & FLAG_DLAST) != 0u)) {
          mu = work[carry];
        }
        let an = scaled_a(s.dd, s.n);
        for (var step = 0u; step < LANES; step++) {
          let slot = (LANES - 1u - step) * CHANNELS + s.gg;
          let r = rev_mu[s.j * H_STRIDE + slot];
          rev_mu[s.j * H_STRIDE + slot] = mu;
          mu = ssm_decay_log2(an, lane_dt[slot]) * mu + r;
        }
        if (s.ok) { work[carry] = mu; }
      }
      workgroupBarrier();
      // E: per state, the reverse recurrence from the incoming adjoint and its gradients.
      for (var j = 0u; j < TILE_STATES; j++) {
        let n = n0 + j;
        let an = a_at(d, n);
        var mu = rev_mu[j * H_STRIDE + lid];
        var da_lane = 0.0;
        for (var step = 0u; step < STEPS; step++) {
          let i = STEPS - 1u - step;
          let t = min(t0 + i, seq_len - 1u);
          let bv = b_at(b, n, t);
          let lambda = mu + c_at(b, n, t) * gy[i];
          let hv = h_hist[i * TILE_STATES + j];
          let dtu = dt[i] * x[i];
          let ah = hv - dtu * bv; // a_t h_{t-1}
          du_acc[i] += lambda * dt[i] * bv;
          ddt_acc[i] += lambda * (an * ah + bv * x[i]);
          da_lane += lambda * dt[i] * ah;
          red[i * WG_SIZE + lid] = lambda * dtu;
          red[(STEPS + i) * WG_SIZE + lid] = gy[i] * hv;
          mu = a_hist[i * TILE_STATES + j] * lambda;
        }
        lane_h[j * H_STRIDE + lid] = da_lane;
        workgroupBarrier();
        for (var o = lid; o < CHUNK; o += WG_SIZE) {
          let lane = o / STEPS;
          let i = o % STEPS;
          var sum_b = 0.0;
          var sum_c = 0.0;
          for (var gg = 0u; gg < CHANNELS; gg++) {
            sum_b += red[i * WG_SIZE + lane * CHANNELS + gg];
            sum_c += red[(STEPS + i) * WG_SIZE + lane * CHANNELS + gg];
          }
          let t = chunk * CHUNK + o;
          if (group_ok && t < seq_len && n < params.d_state) {
            let at = ((b * params.groups_per_batch + ch.block) * params.d_state + n) * seq_len + t;
            dbc[at] = sum_b;
            dbc[params.dbc_c + at] = sum_c;
          }
        }
        workgroupBarrier();
      }
      // dA of the tile: sum the lanes of each channel in order, add to the (b, d, n) partial.
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let s = tile_state(ch, p, n0);
        if (s.ok) {
          var sum = 0.0;
          for (var kk = 0u; kk < LANES; kk++) {
            sum += lane_h[s.j * H_STRIDE + kk * CHANNELS + s.gg];
          }
          let at = params.ws_da + (b * params.d_inner + d0 + s.gg) * params.d_state + s.n;
          if (chunk + 1u < params.n_chunks) { sum += work[at]; }
          work[at] = sum;
        }
      }
      workgroupBarrier();
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (ch.valid && t < seq_len) {
        let v = delta[row + t] + bias;
        var slope = 1.0;
        if (softplus_dt && v <= 20.0) { slope = sigmoid(v); }
        let d_delta_t = ddt_acc[i] * slope;
        d_delta[row + t] = d_delta_t;
        du[row + t] = du_acc[i];
        if (has_z) { dz[row + t] = dy[row + t] * out_acc[i] * silu_grad(z[row + t]); }
        d_skip_lane += gy[i] * x[i];
        d_bias_lane += d_delta_t;
      }
    }
  }

  // dD and dDeltaBias partials of (b, d): the lanes of each channel summed in order.
  red[lid] = d_skip_lane;
  red[WG_SIZE + lid] = d_bias_lane;
  workgroupBarrier();
  for (var gg = lid; gg < CHANNELS; gg += WG_SIZE) {
    if (group_ok && d0 + gg < params.d_inner) {
      var s_skip = 0.0;
      var s_bias = 0.0;
      for (var kk = 0u; kk < LANES; kk++) {
        s_skip += red[kk * CHANNELS + gg];
        s_bias += red[WG_SIZE + kk * CHANNELS + gg];
      }
      let at = params.ws_dchan + (b * params.d_inner + d0 + gg) * 2u;
      work[at] = s_skip;
      work[at + 1u] = s_bias;
    }
  }
}
