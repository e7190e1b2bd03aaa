// gemm-v1: tiled GEMM for the prefill shapes (m >= ~16). out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// One workgroup computes a TILE x TILE (64x64) output tile; its 256 threads each hold a 4x4
// register block. K is walked in tiles of TILE_K (16): each thread loads one vec4 of x and one of
// W (`read4_*`: 4 K elements of a row), stored transposed in workgroup memory (k-major, padded to
// STRIDE vec4 per k to halve bank conflicts), so the inner loop reads one vec4 of x and one
// of W per k and does 16 FMAs. TILE, TILE_K: GEMM_V1 in matmul-kernels.ts.

const STRIDE: u32 = TILE / 4u + 1u; // vec4 per k-row of a tile: 16 + 1 padding

var<workgroup> tile_x: array<vec4<f32>, TILE_K * STRIDE>;
var<workgroup> tile_w: array<vec4<f32>, TILE_K * STRIDE>;

@compute @workgroup_size(TILE / 4u, TILE / 4u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  // Loader role: tile row r (0..63) and k quad q (0..3).
  let r = lid >> 2u;
  let q = lid & 3u;
  let x_ok = row0 + r < params.m;
  let w_ok = col0 + r < params.n;
  let x_base = x_at(min(row0 + r, params.m - 1u), 0u);
  let w_base = w_at(min(col0 + r, params.n - 1u), 0u);
  // Compute role: rows 4*tm.. and columns 4*tn.. of the tile.
  let tm = lid3.y;
  let tn = lid3.x;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    let k = k0 + q * 4u;
    var xv = vec4<f32>(0.0);
    var wv = vec4<f32>(0.0);
    if (x_ok && k < params.k) { xv = read4_x(x_base, k); }
    if (w_ok && k < params.k) { wv = read4_w(w_base, k); }
    for (var j = 0u; j < 4u; j++) {
      let slot = (q * 4u + j) * STRIDE + (r >> 2u);
      tile_x[slot][r & 3u] = xv[j];
      tile_w[slot][r & 3u] = wv[j];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = tile_x[kk * STRIDE + tm];
      let b = tile_w[kk * STRIDE + tn];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + tm * 4u + i;
    if (m >= params.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + tn * 4u + j;
      if (n < params.n) { store_out(m, n, acc[i][j]); }
    }
  }
}
