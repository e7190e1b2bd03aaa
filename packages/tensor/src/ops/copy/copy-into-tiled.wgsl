// Tiled transpose-copy: dst[dst view of (i0, i1, b, a)] = src[src view of (i0, i1, b, a)] where src
// has stride 1 along a (dim 3) and dst stride 1 along b (dim 2), both views permuted so on the
// host. The element-wise copy-into.wgsl would read or write with a stride there (a transpose:
// one 32-byte sector per element on one side); here a TILE x TILE block goes through workgroup
// memory, read along a and written along b, so both sides are coalesced.
// Grid: x over a tiles, y over b tiles, z over the flattened (d0, d1). TILE, ROWS: host constants.

const PITCH: u32 = TILE + 1u; // one padding column: the transposed reads hit distinct banks

var<workgroup> tile: array<f32, TILE * PITCH>;

@compute @workgroup_size(TILE, ROWS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i0 = wid.z / params.d1;
  let i1 = wid.z % params.d1;
  let a0 = wid.x * TILE;
  let b0 = wid.y * TILE;
  for (var r = 0u; r < TILE; r += ROWS) {
    let a = a0 + lid.x;
    let b = b0 + lid.y + r;
    if (a < params.d3 && b < params.d2) { tile[(lid.y + r) * PITCH + lid.x] = src[src_at(i0, i1, b, a)]; }
  }
  workgroupBarrier();
  for (var r = 0u; r < TILE; r += ROWS) {
    let b = b0 + lid.x;
    let a = a0 + lid.y + r;
    if (a < params.d3 && b < params.d2) { dst[dst_at(i0, i1, b, a)] = tile[lid.x * PITCH + lid.y + r]; }
  }
}
