// v3-subgroup-scan's chunk chain without subgroups (as v2's phase B): CHANNELS * TILE_STATES
// invocations chain the chunks' (exp2(A sum dt), h_local) in workgroup memory, three barriers per tile.

const H_STRIDE: u32 = WG_SIZE + 1u; // padded row: the chain reads across rows without bank conflicts
var<workgroup> chunk_dt: array<f32, WG_SIZE>;
var<workgroup> chunk_h: array<f32, H_STRIDE * TILE_STATES>;

fn chain_tile(lid: u32, g: u32, k: u32, d0: u32, sg_size: u32, carry_parity: u32, tile_parity: u32,
              n0: u32, decay_end: array<f32, TILE_STATES>, h_end: array<f32, TILE_STATES>,
              dt_sum: f32) -> array<f32, TILE_STATES> {
  chunk_dt[lid] = dt_sum;
  for (var j = 0u; j < TILE_STATES; j++) {
    chunk_h[j * H_STRIDE + lid] = h_end[j];
  }
  workgroupBarrier();
  for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
    let gg = p / TILE_STATES;
    let j = p % TILE_STATES;
    let an = scaled_a(min(d0 + gg, params.d_inner - 1u), n0 + j);
    var c = carry[carry_index(carry_parity, gg, n0 + j)];
    for (var kk = 0u; kk < CHUNKS; kk++) {
      let slot = gg * CHUNKS + kk;
      let h_local = chunk_h[j * H_STRIDE + slot];
      chunk_h[j * H_STRIDE + slot] = c;
      c = ssm_decay_log2(an, chunk_dt[slot]) * c + h_local;
    }
    carry[carry_index(1u - carry_parity, gg, n0 + j)] = c;
  }
  workgroupBarrier();
  var h_in: array<f32, TILE_STATES>;
  for (var j = 0u; j < TILE_STATES; j++) {
    h_in[j] = chunk_h[j * H_STRIDE + lid];
  }
  workgroupBarrier();
  return h_in;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  scan_body(wid, groups, lid, 0u);
}
