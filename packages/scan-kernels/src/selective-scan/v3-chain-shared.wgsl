// v3-subgroup-scan's chunk chain without subgroups (as v2's phase B, the `chunked-scan/lane-chain`
// library): CHANNELS * TILE_STATES invocations chain the chunks' (exp2(A sum dt), h_local) in
// workgroup memory, three barriers per tile. Chunk k of channel g is lane slot g * CHUNKS + k.

fn chain_tile(lid: u32, g: u32, k: u32, d0: u32, sg_size: u32, carry_parity: u32, tile_parity: u32,
              n0: u32, decay_end: array<f32, TILE_STATES>, h_end: array<f32, TILE_STATES>,
              dt_sum: f32) -> array<f32, TILE_STATES> {
  lane_dt[lid] = dt_sum;
  lane_publish(lid, h_end);
  workgroupBarrier();
  for (var p = lid; p < CHANNELS * TILE_STATES; p += WG_SIZE) {
    let gg = p / TILE_STATES;
    let j = p % TILE_STATES;
    let an = scaled_a(min(d0 + gg, params.d_inner - 1u), n0 + j);
    let c = carry[carry_index(carry_parity, gg, n0 + j)];
    carry[carry_index(1u - carry_parity, gg, n0 + j)] = lane_chain(j, gg * CHUNKS, 1u, CHUNKS, an, c);
  }
  workgroupBarrier();
  let h_in = lane_start_states(lid);
  workgroupBarrier();
  return h_in;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  scan_body(wid, groups, lid, 0u);
}
