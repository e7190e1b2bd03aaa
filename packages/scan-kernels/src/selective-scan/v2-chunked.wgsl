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
// pipeline serves every combination; the branches are uniform).
// Written out here rather than through the chunked-scan libraries (chunked-*.wgsl) that v3 and
// the training kernels share: the same kernel through those functions measured 11% slower on the
// H200 in one run side by side (0.810 vs 0.730 ms at (8,1536,2048,16), 3.10 vs 2.79 ms at
// (8,1536,8192,16); docs/benchmarks/issue-10/scan-0698c5b.md), v3 and the training kernels did not.

const WG_SIZE: u32 = CHANNELS * CHUNKS;
const H_STRIDE: u32 = WG_SIZE + 1u; // padded row: phase B reads across rows without bank conflicts
const QUADS: u32 = TILE_STATES / 4u;

var<workgroup> chunk_dt: array<f32, WG_SIZE>;
var<workgroup> chunk_h: array<f32, H_STRIDE * TILE_STATES>;
var<workgroup> carry: array<f32, CHANNELS * MAX_STATE>;

/** A * log2(e) for state n of channel d (0 for padded states: exp2(0) = 1 keeps them at 0). */
fn scaled_a(d: u32, n: u32) -> f32 {
  return select(0.0, a_matrix[d * params.d_state + min(n, params.d_state - 1u)] * SSM_LOG2E, n < params.d_state);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * groups.x;
  let b = min(group / params.groups_per_batch, params.batch - 1u);
  let group_ok = group < params.batch * params.groups_per_batch;
  let d0 = (group % params.groups_per_batch) * CHANNELS;
  let g = lid % CHANNELS;
  let k = lid / CHANNELS;
  let valid = group_ok && d0 + g < params.d_inner;
  let d = min(d0 + g, params.d_inner - 1u);
  let seq_len = params.seq_len;
  // Per-channel bases of the views; the time strides are added per step.
  let u_base = u_at(b, d, 0u);
  let delta_base = delta_at(b, d, 0u);
  let z_base = z_at(b, d, 0u);
  let y_base = y_at(b, d, 0u);
  let b_base0 = b_rows_at(b, 0u, 0u);
  let c_base0 = c_rows_at(b, 0u, 0u);
  let has_init = (params.flags & FLAG_INIT) != 0u;
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;
  let has_z = (params.flags & FLAG_Z) != 0u;

  for (var p = lid; p < CHANNELS * params.n_pad; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    var v = 0.0;
    if (has_init && group_ok && d0 + gg < params.d_inner && n < params.d_state) {
      v = state[(b * params.d_inner + d0 + gg) * params.d_state + n];
    }
    carry[gg * MAX_STATE + n] = v;
  }
  workgroupBarrier();

  let bias = select(0.0, delta_bias[d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, d_skip[d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var segment = 0u; segment < params.n_segments; segment++) {
    let t0 = (segment * CHUNKS + k) * STEPS;
    var x: array<f32, STEPS>;
    var dt: array<f32, STEPS>;
    var y_acc: array<f32, STEPS>;
    var dt_sum = 0.0;
    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      var xv = 0.0;
      var dv = 0.0;
      if (valid && t < seq_len) {
        xv = u[u_base + t * params.u_stride2];
        dv = ssm_dt(delta[delta_base + t * params.delta_stride2], bias, softplus_dt);
      }
      x[i] = xv;
      dt[i] = dv;
      y_acc[i] = 0.0;
      dt_sum += dv;
    }
    chunk_dt[lid] = dt_sum;

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      var a2: array<f32, TILE_STATES>;
      var h: array<f32, TILE_STATES>;
      for (var j = 0u; j < TILE_STATES; j++) {
        a2[j] = scaled_a(d, n0 + j);
        h[j] = 0.0;
      }
      // A: scan the chunk from a zero state.
      for (var i = 0u; i < STEPS; i++) {
        let base = b_base0 + min(t0 + i, seq_len - 1u) * params.b_rows_stride1 + n0 / 4u;
        let dtu = dt[i] * x[i];
        for (var q = 0u; q < QUADS; q++) {
          let bv = b_rows[base + q];
          for (var e = 0u; e < 4u; e++) {
            let j = q * 4u + e;
            h[j] = ssm_state_step(h[j], ssm_decay_log2(a2[j], dt[i]), dtu, bv[e]);
          }
        }
      }
      for (var j = 0u; j < TILE_STATES; j++) {
        chunk_h[j * H_STRIDE + lid] = h[j];
      }
      workgroupBarrier();
      // B: chain the chunk summaries of each (channel, state); keep each chunk's start state.
      for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
        let gg = p % CHANNELS;
        let j = p / CHANNELS;
        let an = scaled_a(min(d0 + gg, params.d_inner - 1u), n0 + j);
        var c = carry[gg * MAX_STATE + n0 + j];
        for (var kk = 0u; kk < CHUNKS; kk++) {
          let slot = kk * CHANNELS + gg;
          let h_end = chunk_h[j * H_STRIDE + slot];
          chunk_h[j * H_STRIDE + slot] = c;
          c = ssm_decay_log2(an, chunk_dt[slot]) * c + h_end;
        }
        carry[gg * MAX_STATE + n0 + j] = c;
      }
      workgroupBarrier();
      // C: rescan from the true start state and read out y.
      for (var j = 0u; j < TILE_STATES; j++) {
        h[j] = chunk_h[j * H_STRIDE + lid];
      }
      for (var i = 0u; i < STEPS; i++) {
        let t = min(t0 + i, seq_len - 1u);
        let b_base = b_base0 + t * params.b_rows_stride1 + n0 / 4u;
        let c_base = c_base0 + t * params.c_rows_stride1 + n0 / 4u;
        let dtu = dt[i] * x[i];
        var acc = 0.0;
        for (var q = 0u; q < QUADS; q++) {
          let bv = b_rows[b_base + q];
          let cv = c_rows[c_base + q];
          for (var e = 0u; e < 4u; e++) {
            let j = q * 4u + e;
            h[j] = ssm_state_step(h[j], ssm_decay_log2(a2[j], dt[i]), dtu, bv[e]);
            acc += cv[e] * h[j];
          }
        }
        y_acc[i] += acc;
      }
      workgroupBarrier();
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (valid && t < seq_len) {
        var out = ssm_skip(y_acc[i], skip, x[i]);
        if (has_z) { out = ssm_gate(out, z[z_base + t * params.z_stride2]); }
        y[y_base + t * params.y_stride2] = out;
      }
    }
  }

  for (var p = lid; p < CHANNELS * params.d_state; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    if (group_ok && d0 + gg < params.d_inner) {
      state[(b * params.d_inner + d0 + gg) * params.d_state + n] = carry[gg * MAX_STATE + n];
    }
  }
}
