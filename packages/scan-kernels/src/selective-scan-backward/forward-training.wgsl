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
// (dInner) at params.chan_d / chan_bias; B, C: (batch, dState, seqLen); last_state: (batch,
// dInner, dState), holding the initial state on entry when FLAG_INIT; chunk_states: (batch,
// dInner, n_chunks, dState). The header defines CHANNELS, LANES, STEPS, TILE_STATES.

const FLAG_D: u32 = 1u;
const FLAG_Z: u32 = 2u;
const FLAG_BIAS: u32 = 4u;
const FLAG_SOFTPLUS: u32 = 8u;
const FLAG_INIT: u32 = 16u;

const WG_SIZE: u32 = CHANNELS * LANES;
const CHUNK: u32 = LANES * STEPS;
const MAX_STATE: u32 = 256u;
const H_STRIDE: u32 = WG_SIZE + 1u; // padded row: the chain reads across rows without bank conflicts
const LOG2E: f32 = 1.4426950408889634;

var<workgroup> lane_dt: array<f32, WG_SIZE>;
var<workgroup> lane_h: array<f32, H_STRIDE * TILE_STATES>;
var<workgroup> carry: array<f32, CHANNELS * MAX_STATE>;

/** A * log2(e) for state n of channel d (0 for padding states: exp2(0) = 1 keeps them at 0). */
fn scaled_a(d: u32, n: u32) -> f32 {
  return select(0.0, channel[d * params.d_state + min(n, params.d_state - 1u)] * LOG2E, n < params.d_state);
}

/** Index of (b, n, t) in B or C (batch, dState, seqLen), clamped to a real state. */
fn bc_index(b: u32, n: u32, t: u32) -> u32 {
  return (b * params.d_state + min(n, params.d_state - 1u)) * params.seq_len + t;
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
  let group = wid.x + wid.y * groups.x;
  let group_ok = group < params.batch * params.groups_per_batch;
  let b = min(group / params.groups_per_batch, params.batch - 1u);
  let d0 = (group % params.groups_per_batch) * CHANNELS;
  let g = lid % CHANNELS;
  let k = lid / CHANNELS;
  let valid = group_ok && d0 + g < params.d_inner;
  let d = min(d0 + g, params.d_inner - 1u);
  let seq_len = params.seq_len;
  let row = (b * params.d_inner + d) * seq_len;
  let has_z = (params.flags & FLAG_Z) != 0u;

  for (var p = lid; p < CHANNELS * params.n_pad; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    var v = 0.0;
    if ((params.flags & FLAG_INIT) != 0u && group_ok && d0 + gg < params.d_inner && n < params.d_state) {
      v = last_state[(b * params.d_inner + d0 + gg) * params.d_state + n];
    }
    carry[gg * MAX_STATE + n] = v;
  }
  workgroupBarrier();

  let bias = select(0.0, channel[params.chan_bias + d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, channel[params.chan_d + d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var chunk = 0u; chunk < params.n_chunks; chunk++) {
    let t0 = chunk * CHUNK + k * STEPS;
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    var y_acc: array<f32, STEPS>;
    var dt_sum = 0.0;
    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      var xv = 0.0;
      var dv = 0.0;
      if (valid && t < seq_len) {
        xv = u[row + t];
        dv = delta[row + t] + bias;
        if ((params.flags & FLAG_SOFTPLUS) != 0u) { dv = softplus(dv); }
      }
      x[i] = xv;
      dt[i] = dv;
      y_acc[i] = skip * xv;
      dt_sum += dv;
    }
    lane_dt[lid] = dt_sum;

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      var a2: array<f32, TILE_STATES>;
      var h: array<f32, TILE_STATES>;
      for (var j = 0u; j < TILE_STATES; j++) {
        a2[j] = scaled_a(d, n0 + j);
        h[j] = 0.0;
      }
      // A: scan this lane's steps from a zero state.
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        let dtu = dt[i] * x[i];
        for (var j = 0u; j < TILE_STATES; j++) {
          h[j] = exp2(a2[j] * dt[i]) * h[j] + dtu * b_at(b, n0 + j, t);
        }
      }
      for (var j = 0u; j < TILE_STATES; j++) {
        lane_h[j * H_STRIDE + lid] = h[j];
      }
      workgroupBarrier();
      // B: save the chunk's start state, then chain the lane summaries of each (channel, state).
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let gg = p % CHANNELS;
        let j = p / CHANNELS;
        let n = n0 + j;
        let dd = min(d0 + gg, params.d_inner - 1u);
        var c = carry[gg * MAX_STATE + n];
        if (group_ok && d0 + gg < params.d_inner && n < params.d_state) {
          chunk_states[((b * params.d_inner + dd) * params.n_chunks + chunk) * params.d_state + n] = c;
        }
        let an = scaled_a(dd, n);
        for (var kk = 0u; kk < LANES; kk++) {
          let slot = kk * CHANNELS + gg;
          let h_end = lane_h[j * H_STRIDE + slot];
          lane_h[j * H_STRIDE + slot] = c;
          c = exp2(an * lane_dt[slot]) * c + h_end;
        }
        carry[gg * MAX_STATE + n] = c;
      }
      workgroupBarrier();
      // C: rescan from the true start state and read out y.
      for (var j = 0u; j < TILE_STATES; j++) {
        h[j] = lane_h[j * H_STRIDE + lid];
      }
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        let dtu = dt[i] * x[i];
        var acc = 0.0;
        for (var j = 0u; j < TILE_STATES; j++) {
          h[j] = exp2(a2[j] * dt[i]) * h[j] + dtu * b_at(b, n0 + j, t);
          acc += c_at(b, n0 + j, t) * h[j];
        }
        y_acc[i] += acc;
      }
      workgroupBarrier();
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (valid && t < seq_len) {
        var out = y_acc[i];
        if (has_z) { out *= silu(z[row + t]); }
        y[row + t] = out;
      }
    }
  }

  for (var p = lid; p < CHANNELS * params.d_state; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    if (group_ok && d0 + gg < params.d_inner) {
      last_state[(b * params.d_inner + d0 + gg) * params.d_state + n] = carry[gg * MAX_STATE + n];
    }
  }
}
