// gemm-v2: large prefill GEMMs (in_proj, out_proj at m >= ~1024). out = x @ W^T on one chunk.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// What changes against gemm-v1 and why: a 128x128 tile with 8x8 register blocks per thread
// (256 threads), so each k step reads 4 vec4 from workgroup memory for 64 FMAs (gemm-v1: 2 for
// 16), which lifts the FMA/shared-load ratio that caps gemm-v1 near 28 TFLOP/s on an H200.
// K tiles of 8 are double-buffered in workgroup memory and the next tile's global loads are
// issued into registers before the current tile's math, so one barrier per K tile remains and
// the global latency hides behind the FMAs (the gemm-double-buffer library). 16 KiB of
// workgroup memory (the WebGPU minimum).
// Split-K: z-slice `wid.z` covers K in [wid.z * k_slice, +k_slice) and writes its rows at
// m + wid.z * m (the host then binds a workspace as `out` and reduces the slices).
// The loads and stores are the gemm-tiles library's.
// TILE (128), TILE_K (8): GEMM_V2 in matmul-kernels.ts.

// Rows 0..63 of a tile's k-row sit at vec4 0..15, rows 64..127 at 16..31; vec4 slots of k-rows
// 4..7 are XOR-swizzled by 4 so the two k quads one warp stores land in different banks.
fn slot(kk: u32, v: u32) -> u32 { return kk * ROW_VEC4 + (v ^ (kk & 4u)); }

@compute @workgroup_size(TILE / 8u, TILE / 8u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  // Loader role: tile row r (0..127) and k quad q (0..1); compute role (tm, tn) = lid3.yx.
  let tm = lid3.y;
  let tn = lid3.x;
  var acc: Acc;
  gemm_k_walk(tile_loader(lid, row0, col0), wid.z, tm, tn, &acc);
  // Stores with constant acc indices (a dynamic index could push acc out of registers).
  let z_row = wid.z * params.m;
  let m0 = row0 + tm * 4u;
  let m1 = m0 + 64u;
  let n0 = col0 + tn * 4u;
  let n1 = n0 + 64u;
  store4x4(z_row, m0, n0, acc[0], acc[2], acc[4], acc[6]);
  store4x4(z_row, m0, n1, acc[1], acc[3], acc[5], acc[7]);
  store4x4(z_row, m1, n0, acc[8], acc[10], acc[12], acc[14]);
  store4x4(z_row, m1, n1, acc[9], acc[11], acc[13], acc[15]);
}

// An 8x8 register block: [row i (0..7)][column half h] at 2i + h; rows {4tm.., 64+4tm..} and
// columns {4tn.., 64+4tn..} of the tile.
alias Acc = array<vec4<f32>, 16>;

// The FMAs of k-row kk of the buffer at vec4 b (gemm-double-buffer's `tile_math`).
fn tile_math(acc: ptr<function, Acc>, b: u32, kk: u32, tm: u32, tn: u32) {
  let a0 = tile_x[b + slot(kk, tm)];
  let a1 = tile_x[b + slot(kk, tm + 16u)];
  let b0 = tile_w[b + slot(kk, tn)];
  let b1 = tile_w[b + slot(kk, tn + 16u)];
  (*acc)[0] += a0.x * b0;
  (*acc)[1] += a0.x * b1;
  (*acc)[2] += a0.y * b0;
  (*acc)[3] += a0.y * b1;
  (*acc)[4] += a0.z * b0;
  (*acc)[5] += a0.z * b1;
  (*acc)[6] += a0.w * b0;
  (*acc)[7] += a0.w * b1;
  (*acc)[8] += a1.x * b0;
  (*acc)[9] += a1.x * b1;
  (*acc)[10] += a1.y * b0;
  (*acc)[11] += a1.y * b1;
  (*acc)[12] += a1.z * b0;
  (*acc)[13] += a1.z * b1;
  (*acc)[14] += a1.w * b0;
  (*acc)[15] += a1.w * b1;
}
