// v3-subgroup-scan: v2's fused chunked scan with the chunk chain done by a subgroup scan
// (v3-chain-subgroup.wgsl) or, without subgroups, by a serial chain in workgroup memory
// (v3-chain-shared.wgsl); one of the two is appended to this body. With SINGLE_EXP each
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
// u, delta, z, y: (batch, dInner, seqLen); A: (dInner, dState); B, C rows: (batch, seqLen, row)
// read as vec4 (row = bc_row4 vec4s, B at b_off4, C at c_off4, dState padded to n_pad with zeros);
// D, delta_bias: (dInner); state: (batch, dInner, dState), read first with FLAG_INIT.
// The generated header defines SINGLE_EXP, CHANNELS, CHUNKS (a power of two), STEPS, TILE_STATES (a multiple of 4).

const FLAG_D: u32 = 1u;
const FLAG_Z: u32 = 2u;
const FLAG_BIAS: u32 = 4u;
const FLAG_SOFTPLUS: u32 = 8u;
const FLAG_INIT: u32 = 16u;

const WG_SIZE: u32 = CHANNELS * CHUNKS;
const MAX_STATE: u32 = 256u;
const LOG2E: f32 = 1.4426950408889634;
const QUADS: u32 = TILE_STATES / 4u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> delta: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<storage, read> a_matrix: array<f32>;
@group(0) @binding(5) var<storage, read> d_skip: array<f32>;
@group(0) @binding(6) var<storage, read> delta_bias: array<f32>;
@group(0) @binding(7) var<storage, read> b_rows: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> c_rows: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> y: array<f32>;
@group(0) @binding(10) var<storage, read_write> state: array<f32>;

// The state entering each segment, double-buffered by segment parity: carry[parity][g][n].
var<workgroup> carry: array<f32, 2 * CHANNELS * MAX_STATE>;

fn softplus(v: f32) -> f32 {
  if (v > 20.0) { return v; }
  return log(1.0 + exp(v));
}

/** A * log2(e) for state n of channel d (0 for padded states: exp2(0) = 1 keeps them at 0). */
fn scaled_a(d: u32, n: u32) -> f32 {
  return select(0.0, a_matrix[d * params.d_state + min(n, params.d_state - 1u)] * LOG2E, n < params.d_state);
}

fn carry_index(parity: u32, g: u32, n: u32) -> u32 {
  return (parity * CHANNELS + g) * MAX_STATE + n;
}

fn scan_body(wid: vec3<u32>, groups: vec3<u32>, lid: u32, sg_size: u32) {
  let group = wid.x + wid.y * groups.x;
  let b = min(group / params.groups_per_batch, params.batch - 1u);
  let group_ok = group < params.batch * params.groups_per_batch;
  let d0 = (group % params.groups_per_batch) * CHANNELS;
  let g = lid / CHUNKS;
  let k = lid % CHUNKS;
  let valid = group_ok && d0 + g < params.d_inner;
  let d = min(d0 + g, params.d_inner - 1u);
  let seq_len = params.seq_len;
  let row = (b * params.d_inner + d) * seq_len;
  let bc_batch = b * seq_len * params.bc_row4;
  let has_init = (params.flags & FLAG_INIT) != 0u;
  let softplus_dt = (params.flags & FLAG_SOFTPLUS) != 0u;
  let has_z = (params.flags & FLAG_Z) != 0u;

  for (var p = lid; p < CHANNELS * params.n_pad; p += WG_SIZE) {
    let gg = p / params.n_pad;
    let n = p % params.n_pad;
    var v = 0.0;
    if (has_init && group_ok && d0 + gg < params.d_inner && n < params.d_state) {
      v = state[(b * params.d_inner + d0 + gg) * params.d_state + n];
    }
    carry[carry_index(0u, gg, n)] = v;
  }
  workgroupBarrier();

  let bias = select(0.0, delta_bias[d], (params.flags & FLAG_BIAS) != 0u);
  let skip = select(0.0, d_skip[d], (params.flags & FLAG_D) != 0u);
  let n_tiles = params.n_pad / TILE_STATES;

  for (var segment = 0u; segment < params.n_segments; segment++) {
    let t0 = (segment * CHUNKS + k) * STEPS;
    var dt: array<f32, STEPS>;
    var dtu: array<f32, STEPS>;
    var y_acc: array<f32, STEPS>;
    var dt_sum = 0.0;
    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      var xv = 0.0;
      var dv = 0.0;
      if (valid && t < seq_len) {
        xv = u[row + t];
        dv = delta[row + t] + bias;
        if (softplus_dt) { dv = softplus(dv); }
      }
      dt[i] = dv;
      dtu[i] = dv * xv;
      y_acc[i] = 0.0;
      dt_sum += dv;
    }

    for (var tile = 0u; tile < n_tiles; tile++) {
      let n0 = tile * TILE_STATES;
      var a2: array<f32, TILE_STATES>;
      var decay: array<f32, TILE_STATES>;
      var h: array<f32, TILE_STATES>;
      var w: array<f32, select(1u, STEPS * TILE_STATES, SINGLE_EXP)>;
      for (var j = 0u; j < TILE_STATES; j++) {
        a2[j] = scaled_a(d, n0 + j);
        decay[j] = 1.0;
        h[j] = 0.0;
      }
      if (SINGLE_EXP) {
        // A: scan the chunk from a zero state, one exp2 per (t, n).
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          let b_base = bc_batch + t * params.bc_row4 + params.b_off4 + n0 / 4u;
          let c_base = bc_batch + t * params.bc_row4 + params.c_off4 + n0 / 4u;
          var acc = 0.0;
          for (var q = 0u; q < QUADS; q++) {
            let bv = b_rows[b_base + q];
            let cv = c_rows[c_base + q];
            for (var e = 0u; e < 4u; e++) {
              let j = q * 4u + e;
              let da = exp2(a2[j] * dt[i]);
              decay[j] *= da;
              h[j] = da * h[j] + dtu[i] * bv[e];
              acc += cv[e] * h[j];
              w[i * TILE_STATES + j] = cv[e] * decay[j];
            }
          }
          y_acc[i] += acc;
        }
        // B: each chunk's true start state.
        let h_in = chain_tile(lid, g, k, d0, sg_size, segment & 1u, (segment * n_tiles + tile) & 1u, n0,
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
          let b_base = bc_batch + t * params.bc_row4 + params.b_off4 + n0 / 4u;
          for (var q = 0u; q < QUADS; q++) {
            let bv = b_rows[b_base + q];
            for (var e = 0u; e < 4u; e++) {
              let j = q * 4u + e;
              h[j] = exp2(a2[j] * dt[i]) * h[j] + dtu[i] * bv[e];
            }
          }
        }
        for (var j = 0u; j < TILE_STATES; j++) {
          decay[j] = exp2(a2[j] * dt_sum);
        }
        // B: each chunk's true start state.
        h = chain_tile(lid, g, k, d0, sg_size, segment & 1u, (segment * n_tiles + tile) & 1u, n0,
                       decay, h, dt_sum);
        // C (as v2): rescan from the start state and read out y.
        for (var i = 0u; i < STEPS; i++) {
          let t = min(t0 + i, seq_len - 1u);
          let b_base = bc_batch + t * params.bc_row4 + params.b_off4 + n0 / 4u;
          let c_base = bc_batch + t * params.bc_row4 + params.c_off4 + n0 / 4u;
          var acc = 0.0;
          for (var q = 0u; q < QUADS; q++) {
            let bv = b_rows[b_base + q];
            let cv = c_rows[c_base + q];
            for (var e = 0u; e < 4u; e++) {
              let j = q * 4u + e;
              h[j] = exp2(a2[j] * dt[i]) * h[j] + dtu[i] * bv[e];
              acc += cv[e] * h[j];
            }
          }
          y_acc[i] += acc;
        }
      }
    }

    for (var i = 0u; i < STEPS; i++) {
      let t = t0 + i;
      if (valid && t < seq_len) {
        var out = y_acc[i] + skip * u[row + t];
        if (has_z) {
          let gate = z[row + t];
          out *= gate / (1.0 + exp(-gate));
        }
        y[row + t] = out;
      }
    }
  }

  workgroupBarrier();
  let last = params.n_segments & 1u;
  for (var p = lid; p < CHANNELS * params.d_state; p += WG_SIZE) {
    let gg = p / params.d_state;
    let n = p % params.d_state;
    if (group_ok && d0 + gg < params.d_inner) {
      state[(b * params.d_inner + d0 + gg) * params.d_state + n] = carry[carry_index(last, gg, n)];
    }
  }
}
