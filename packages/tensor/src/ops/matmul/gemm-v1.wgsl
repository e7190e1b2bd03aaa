// gemm-v1: tiled GEMM for the prefill shapes (m >= ~16). out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// One workgroup computes a TILE x TILE (64x64) output tile; its 256 threads each hold a 4x4
// register block. K is walked in tiles of TILE_K (16): each thread loads one vec4 of x and one of
// W (`read4_*`: 4 K elements of a row), stored transposed in workgroup memory (k-major, padded to
// STRIDE vec4 per k to halve bank conflicts), so the inner loop reads one vec4 of x and one
// of W per k and does 16 FMAs. The loads and stores are the gemm-tiles library's (gemm-tiles.wgsl).
// TILE, TILE_K: GEMM_V1 in matmul-kernels.ts.

const STRIDE: u32 = TILE / 4u + 1u; // vec4 per k-row of a tile: 16 + 1 padding

var<workgroup> tile_x: array<vec4<f32>, TILE_K * STRIDE>;
var<workgroup> tile_w: array<vec4<f32>, TILE_K * STRIDE>;

// The vec4 of tile rows 4v..4v+3 in k-row kk (gemm-tiles' `slot`).
fn slot(kk: u32, v: u32) -> u32 { return kk * STRIDE + v; }

@compute @workgroup_size(TILE / 4u, TILE / 4u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  // Loader role (gemm-tiles): tile row r (0..63) and k quad q (0..3).
  let loader = tile_loader(lid, row0, col0);
  // Compute role: rows 4*tm.. and columns 4*tn.. of the tile.
  let tm = lid3.y;
  let tn = lid3.x;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    store_quads(0u, loader, load_quads(loader, k0, params.k));
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = tile_x[slot(kk, tm)];
      let b = tile_w[slot(kk, tn)];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  store4x4(0u, row0 + tm * 4u, col0 + tn * 4u, acc[0], acc[1], acc[2], acc[3]);
}
