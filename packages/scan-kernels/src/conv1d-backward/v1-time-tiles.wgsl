// v1-time-tiles, pass 1 of 2: one workgroup per (row, time tile) of the causal conv1d backward.
// Writes dx and d_init_state directly and one partial sum of d_weight / d_bias per workgroup
// (a fixed-order tree over the tile); weight-grad-reduce.wgsl sums the partials in fixed order.
//
// Shapes (row = b * d_inner + d, xpad = concat(WIDTH - 1 inputs before t = 0, x)):
//   x, dy, dx: (batch, d_inner, seq_len); weight: (d_inner, WIDTH); bias: (d_inner)
//   init_state, d_init_state: (batch, d_inner, init_width), init_width = WIDTH - 1 or WIDTH
//   partials: (batch * n_tiles, d_inner, LANES): lanes 0..WIDTH-1 = d_weight, lane WIDTH = d_bias
// Maths: pre[t] = bias + sum_k weight[k] * xpad[t + k]; g[t] = dy[t] * silu_grad(pre[t]) (or dy[t]);
//   dx[s] = sum_k weight[k] * g[s + WIDTH - 1 - k]; d_init_state[p] = sum_k weight[k] * g[p - k];
//   d_weight[k] = sum_t g[t] * xpad[t + k]; d_bias = sum_t g[t]. pre is recomputed, never stored.
// Constants (generated header): WORKGROUP_SIZE (a power of two), TILE, WIDTH, LANES = WIDTH + 1,
//   X_SPAN = TILE + 2 * (WIDTH - 1), G_SPAN = TILE + WIDTH - 1, HAS_BIAS, HAS_INIT, SILU.

// xpad[t0 .. t0 + X_SPAN): the inputs every pre[t] and d_weight product of the tile (halo included) reads.
var<workgroup> inputs: array<f32, X_SPAN>;
// g[t0 .. t0 + G_SPAN), zero past seq_len: dx of the tile needs WIDTH - 1 values after it.
var<workgroup> grads: array<f32, G_SPAN>;
// Per-invocation d_weight / d_bias sums, lane-major, for the tree reduction.
var<workgroup> lane_sums: array<f32, LANES * WORKGROUP_SIZE>;

/** xpad[p] of row `row`: x past the first WIDTH - 1 positions (0 past seq_len), else the initial state or 0. */
fn padded_input(row: u32, p: u32) -> f32 {
  if (p >= WIDTH - 1u) {
    let t = p - (WIDTH - 1u);
    if (t < params.seq_len) { return x[row * params.seq_len + t]; }
    return 0.0;
  }
  if (HAS_INIT) {
    let column = i32(params.init_width) - i32(WIDTH - 1u) + i32(p);
    if (column >= 0) { return init_state[row * params.init_width + u32(column)]; }
  }
  return 0.0;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * groups.x;
  if (group >= params.n_groups) { return; }
  let row = group / params.n_tiles;
  let tile = group % params.n_tiles;
  let d = row % params.d_inner;
  let b = row / params.d_inner;
  let t0 = tile * TILE;

  var w: array<f32, WIDTH>;
  for (var k = 0u; k < WIDTH; k++) { w[k] = weight[d * WIDTH + k]; }
  var bias_d = 0.0;
  if (HAS_BIAS) { bias_d = bias[d]; }

  for (var j = lid; j < X_SPAN; j += WORKGROUP_SIZE) { inputs[j] = padded_input(row, t0 + j); }
  workgroupBarrier();

  // g over the tile and its halo; the d_weight / d_bias sums over the tile only.
  var sums: array<f32, LANES>;
  for (var j = lid; j < G_SPAN; j += WORKGROUP_SIZE) {
    let t = t0 + j;
    var g = 0.0;
    if (t < params.seq_len) {
      g = dy[row * params.seq_len + t];
      if (SILU) {
        var pre = bias_d;
        for (var k = 0u; k < WIDTH; k++) { pre += w[k] * inputs[j + k]; }
        g *= silu_grad(pre);
      }
    }
    grads[j] = g;
    if (j < TILE) {
      for (var k = 0u; k < WIDTH; k++) { sums[k] += g * inputs[j + k]; }
      sums[WIDTH] += g;
    }
  }
  workgroupBarrier();

  for (var j = lid; j < TILE; j += WORKGROUP_SIZE) {
    let t = t0 + j;
    if (t < params.seq_len) {
      var acc = 0.0;
      for (var k = 0u; k < WIDTH; k++) { acc += w[k] * grads[j + WIDTH - 1u - k]; }
      dx[row * params.seq_len + t] = acc;
    }
  }
  // Column c of the initial state is xpad[p], p = c - init_width + WIDTH - 1 (p < 0: the unused
  // oldest column of a WIDTH-column state); only pre[0 .. p] read it, all in the first tile.
  if (HAS_INIT && tile == 0u && lid < params.init_width) {
    let p = i32(lid) - i32(params.init_width) + i32(WIDTH - 1u);
    var acc = 0.0;
    for (var k = 0; k <= p; k++) { acc += w[k] * grads[p - k]; }
    d_init_state[row * params.init_width + lid] = acc;
  }

  // Fixed-order tree reduction of the lane sums (deterministic: no atomics).
  for (var k = 0u; k < LANES; k++) { lane_sums[k * WORKGROUP_SIZE + lid] = sums[k]; }
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      for (var k = 0u; k < LANES; k++) {
        lane_sums[k * WORKGROUP_SIZE + lid] += lane_sums[k * WORKGROUP_SIZE + lid + stride];
      }
    }
    workgroupBarrier();
  }
  if (lid < LANES) {
    partials[((b * params.n_tiles + tile) * params.d_inner + d) * LANES + lid] = lane_sums[lid * WORKGROUP_SIZE];
  }
}
