// gemm-v2: large prefill GEMMs (in_proj, out_proj at m >= ~1024). out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// What changes against gemm-v1 and why: a 128x128 tile with 8x8 register blocks per thread
// (256 threads), so each k step reads 4 vec4 from workgroup memory for 64 FMAs (gemm-v1: 2 for
// 16), which lifts the FMA/shared-load ratio that caps gemm-v1 near 28 TFLOP/s on an H200.
// K tiles of 8 are double-buffered in workgroup memory and the next tile's global loads are
// issued into registers before the current tile's math, so one barrier per K tile remains and
// the global latency hides behind the FMAs. 16 KiB of workgroup memory (the WebGPU minimum).
// Split-K: z-slice `wid.z` covers K in [wid.z * k_slice, +k_slice) and writes its rows at
// m + wid.z * m (the host then binds a workspace as `out` and reduces the slices).
// TILE (128), TILE_K (8): GEMM_V2 in matmul-kernels.ts.

const ROW_VEC4: u32 = TILE / 4u; // vec4 per k-row of a tile (128 floats)
const BUF: u32 = TILE_K * ROW_VEC4; // vec4 per buffer

var<workgroup> tile_x: array<vec4<f32>, 2u * BUF>; // 2 buffers, k-major: [buf][kk][128 rows]
var<workgroup> tile_w: array<vec4<f32>, 2u * BUF>;

// Rows 0..63 of a tile's k-row sit at vec4 0..15, rows 64..127 at 16..31; vec4 slots of k-rows
// 4..7 are XOR-swizzled by 4 so the two k quads one warp stores land in different banks.
fn slot(kk: u32, v: u32) -> u32 { return kk * ROW_VEC4 + (v ^ (kk & 4u)); }

// Stores columns n..n+3 of row m (< params.m checked here) at row z_row + m of out: a split-K
// slice z writes at z_row = z * params.m of its workspace; without split z_row = 0.
fn store4(z_row: u32, m: u32, n: u32, v: vec4<f32>) {
  if (m >= params.m) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n + j < params.n) { store_out(z_row + m, n + j, v[j]); }
  }
}

@compute @workgroup_size(TILE / 8u, TILE / 8u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let k_lo = wid.z * params.k_slice;
  let k_hi = min(k_lo + params.k_slice, params.k);
  // Loader role: tile row r (0..127) and k quad q (0..1): one vec4 of x and one of W per K tile.
  let r = lid >> 1u;
  let q = lid & 1u;
  let x_ok = row0 + r < params.m;
  let w_ok = col0 + r < params.n;
  let x_base = x_at(min(row0 + r, params.m - 1u), 0u);
  let w_base = w_at(min(col0 + r, params.n - 1u), 0u);
  // Compute role: rows {4tm.., 64+4tm..} and columns {4tn.., 64+4tn..} of the tile.
  let tm = lid3.y;
  let tn = lid3.x;
  var acc: array<vec4<f32>, 16>; // [row i (0..7)][column half h] at 2i + h

  var xv = vec4<f32>(0.0);
  var wv = vec4<f32>(0.0);
  var k = k_lo + q * 4u;
  if (x_ok && k < k_hi) { xv = read4_x(x_base, k); }
  if (w_ok && k < k_hi) { wv = read4_w(w_base, k); }
  for (var j = 0u; j < 4u; j++) {
    let s = slot(q * 4u + j, r >> 2u);
    tile_x[s][r & 3u] = xv[j];
    tile_w[s][r & 3u] = wv[j];
  }
  workgroupBarrier();
  var buf = 0u;
  for (var k0 = k_lo; k0 < k_hi; k0 += TILE_K) {
    let next = k0 + TILE_K < k_hi;
    if (next) {
      k = k0 + TILE_K + q * 4u;
      xv = vec4<f32>(0.0);
      wv = vec4<f32>(0.0);
      if (x_ok && k < k_hi) { xv = read4_x(x_base, k); }
      if (w_ok && k < k_hi) { wv = read4_w(w_base, k); }
    }
    let b = buf * BUF;
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a0 = tile_x[b + slot(kk, tm)];
      let a1 = tile_x[b + slot(kk, tm + 16u)];
      let b0 = tile_w[b + slot(kk, tn)];
      let b1 = tile_w[b + slot(kk, tn + 16u)];
      acc[0] += a0.x * b0;
      acc[1] += a0.x * b1;
      acc[2] += a0.y * b0;
      acc[3] += a0.y * b1;
      acc[4] += a0.z * b0;
      acc[5] += a0.z * b1;
      acc[6] += a0.w * b0;
      acc[7] += a0.w * b1;
      acc[8] += a1.x * b0;
      acc[9] += a1.x * b1;
      acc[10] += a1.y * b0;
      acc[11] += a1.y * b1;
      acc[12] += a1.z * b0;
      acc[13] += a1.z * b1;
      acc[14] += a1.w * b0;
      acc[15] += a1.w * b1;
    }
    if (next) {
      let nb = (buf ^ 1u) * BUF;
      for (var j = 0u; j < 4u; j++) {
        let s = nb + slot(q * 4u + j, r >> 2u);
        tile_x[s][r & 3u] = xv[j];
        tile_w[s][r & 3u] = wv[j];
      }
    }
    workgroupBarrier();
    buf ^= 1u;
  }
  // Stores with constant acc indices (a dynamic index could push acc out of registers).
  let z_row = wid.z * params.m;
  let m0 = row0 + tm * 4u;
  let m1 = m0 + 64u;
  let n0 = col0 + tn * 4u;
  let n1 = n0 + 64u;
  store4(z_row, m0, n0, acc[0]);
  store4(z_row, m0, n1, acc[1]);
  store4(z_row, m0 + 1u, n0, acc[2]);
  store4(z_row, m0 + 1u, n1, acc[3]);
  store4(z_row, m0 + 2u, n0, acc[4]);
  store4(z_row, m0 + 2u, n1, acc[5]);
  store4(z_row, m0 + 3u, n0, acc[6]);
  store4(z_row, m0 + 3u, n1, acc[7]);
  store4(z_row, m1, n0, acc[8]);
  store4(z_row, m1, n1, acc[9]);
  store4(z_row, m1 + 1u, n0, acc[10]);
  store4(z_row, m1 + 1u, n1, acc[11]);
  store4(z_row, m1 + 2u, n0, acc[12]);
  store4(z_row, m1 + 2u, n1, acc[13]);
  store4(z_row, m1 + 3u, n0, acc[14]);
  store4(z_row, m1 + 3u, n1, acc[15]);
}
