// v3-subgroup-scan's chunk chain with subgroups: per state, an inclusive Hillis-Steele scan of the
// chunks' affine maps (P, h): h -> P h + h_local across the lanes of a subgroup (shuffle-up,
// log2(subgroup size) steps), the subgroups' totals folded through workgroup memory, one barrier
// per tile. Assumes lid % subgroup_size == subgroup_invocation_id (1-D workgroups, as on every
// implementation we know) and power-of-two sizes. The builder adds `enable subgroups;` (spec.enables).

// Subgroups of at least 4 invocations (WebGPU's minimum): at most CHUNKS / 4 per channel.
const SUBS_MAX: u32 = max(CHUNKS / 4u, 1u);
// The subgroups' totals, double-buffered by tile parity: [parity][g][sub][j].
var<workgroup> sub_decay: array<f32, 2 * CHANNELS * SUBS_MAX * TILE_STATES>;
var<workgroup> sub_h: array<f32, 2 * CHANNELS * SUBS_MAX * TILE_STATES>;

fn chain_tile(lid: u32, g: u32, k: u32, d0: u32, sg_size: u32, carry_parity: u32, tile_parity: u32,
              n0: u32, decay_end: array<f32, TILE_STATES>, h_end: array<f32, TILE_STATES>,
              dt_sum: f32) -> array<f32, TILE_STATES> {
  let span = min(sg_size, CHUNKS);
  let pos = k % span;
  let sub = k / span;
  var a = decay_end;
  var h = h_end;
  for (var offset = 1u; offset < span; offset *= 2u) {
    for (var j = 0u; j < TILE_STATES; j++) {
      let prev_a = subgroupShuffleUp(a[j], offset);
      let prev_h = subgroupShuffleUp(h[j], offset);
      if (pos >= offset) {
        h[j] = a[j] * prev_h + h[j];
        a[j] = a[j] * prev_a;
      }
    }
  }
  var ea: array<f32, TILE_STATES>;
  var eh: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    let prev_a = subgroupShuffleUp(a[j], 1u);
    let prev_h = subgroupShuffleUp(h[j], 1u);
    ea[j] = select(prev_a, 1.0, pos == 0u);
    eh[j] = select(prev_h, 0.0, pos == 0u);
  }
  let base = ((tile_parity * CHANNELS + g) * SUBS_MAX) * TILE_STATES;
  if (pos == span - 1u) {
    for (var j = 0u; j < TILE_STATES; j++) {
      sub_decay[base + sub * TILE_STATES + j] = a[j];
      sub_h[base + sub * TILE_STATES + j] = h[j];
    }
  }
  workgroupBarrier();
  var h_in: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    var c = carry[carry_index(carry_parity, g, n0 + j)];
    for (var s = 0u; s < sub; s++) {
      c = sub_decay[base + s * TILE_STATES + j] * c + sub_h[base + s * TILE_STATES + j];
    }
    h_in[j] = ea[j] * c + eh[j];
    if (k == CHUNKS - 1u) {
      carry[carry_index(1u - carry_parity, g, n0 + j)] = a[j] * c + h[j];
    }
  }
  return h_in;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_size) sg_size: u32) {
  scan_body(wid, groups, lid, sg_size);
}
