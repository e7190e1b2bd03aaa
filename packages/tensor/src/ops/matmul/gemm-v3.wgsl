// gemm-v3: tiled GEMM with a taller tile. out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// What changes against gemm-v1 and why: a TILE x TILE_N (128 x 64) output tile with 8x4 register
// blocks (rows 4tm.. and 64 + 4tm.., columns 4tn..) for the same 256 threads and K tiles of 16.
// Per k a thread reads 3 vec4 from workgroup memory for 32 FMAs (gemm-v1: 2 for 16), and each
// W tile row loaded serves twice the rows of x: the shared-load and L2 traffic per FMA drop by a
// third without gemm-v2's 64 accumulators (gemm-v2 is slower than gemm-v1 on the H200; suspect:
// register pressure). Single-buffered like gemm-v1, no swizzle. TILE, TILE_N, TILE_K: GEMM_V3.

const XS: u32 = TILE / 4u + 1u;   // vec4 per k-row of the x tile: 32 + 1 padding
const WS: u32 = TILE_N / 4u + 1u; // vec4 per k-row of the W tile: 16 + 1 padding
const HALF: u32 = TILE / 2u;      // x rows per loader pass (64)

var<workgroup> tile_x: array<vec4<f32>, TILE_K * XS>;
var<workgroup> tile_w: array<vec4<f32>, TILE_K * WS>;

// The x tile's vec4 of rows 4v..4v+3 in k-row kk (the gemm-tiles library's contract).
fn slot(kk: u32, v: u32) -> u32 { return kk * XS + v; }

@compute @workgroup_size(TILE_N / 4u, TILE / 8u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE_N;
  // Loader role: rows r and HALF + r of the x tile, row r of the W tile, k quad q (0..3).
  let r = lid >> 2u;
  let q = lid & 3u;
  let x_ok0 = row0 + r < params.m;
  let x_ok1 = row0 + HALF + r < params.m;
  let w_ok = col0 + r < params.n;
  let x_base0 = x_at(min(row0 + r, params.m - 1u), 0u);
  let x_base1 = x_at(min(row0 + HALF + r, params.m - 1u), 0u);
  let w_base = w_at(min(col0 + r, params.n - 1u), 0u);
  // Compute role: rows 4tm.. and HALF + 4tm.., columns 4tn.. of the tile.
  let tm = lid3.y;
  let tn = lid3.x;
  var acc: array<vec4<f32>, 8>;
  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    let k = k0 + q * 4u;
    var x0 = vec4<f32>(0.0);
    var x1 = vec4<f32>(0.0);
    var wv = vec4<f32>(0.0);
    if (k < params.k) {
      if (x_ok0) { x0 = read4_x(x_base0, k); }
      if (x_ok1) { x1 = read4_x(x_base1, k); }
      if (w_ok) { wv = read4_w(w_base, k); }
    }
    for (var j = 0u; j < 4u; j++) {
      let kk = q * 4u + j;
      tile_x[slot(kk, r >> 2u)][r & 3u] = x0[j];
      tile_x[slot(kk, HALF / 4u + (r >> 2u))][r & 3u] = x1[j];
      tile_w[kk * WS + (r >> 2u)][r & 3u] = wv[j];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a0 = tile_x[slot(kk, tm)];
      let a1 = tile_x[slot(kk, HALF / 4u + tm)];
      let b = tile_w[kk * WS + tn];
      acc[0] += a0.x * b;
      acc[1] += a0.y * b;
      acc[2] += a0.z * b;
      acc[3] += a0.w * b;
      acc[4] += a1.x * b;
      acc[5] += a1.y * b;
      acc[6] += a1.z * b;
      acc[7] += a1.w * b;
    }
    workgroupBarrier();
  }
  store4x4(0u, row0 + tm * 4u, col0 + tn * 4u, acc[0], acc[1], acc[2], acc[3]);
  store4x4(0u, row0 + HALF + tm * 4u, col0 + tn * 4u, acc[4], acc[5], acc[6], acc[7]);
}
