// gemm-splitk-v1: GEMMs with few output tiles (decode batch 64, prefill at m = 256, x_proj's 80
// outputs). out = x @ W^T on one chunk, or one K slice of it into a workspace.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// What changes against gemm-v1 and why: gemm-v1 launches one workgroup per 64x64 tile and walks
// all of K serially, so (64 x 768) @ (3072 x 768)^T runs 48 workgroups on 132 SMs, each waiting
// on one global load per K tile. Here z-slice `wid.z` covers only K in [wid.z * k_slice,
// +k_slice) and writes its rows at m + wid.z * m (the host binds a workspace as `out`, then a
// reduce pass sums the slices and applies the epilogue), so the host can launch ~2 waves. The
// K tiles are double-buffered in workgroup memory with the next tile's global loads issued into
// registers before the math (one barrier per K tile: the gemm-double-buffer library); the tile
// and register blocks are gemm-v1's, the loads and stores the gemm-tiles library's.
// TILE (64), TILE_K (16): GEMM_SPLITK_V1 in matmul-kernels.ts.

// The vec4 slots of k-row kk are XOR-swizzled by 2 * (kk / 4) so the four k quads one warp
// stores land in different banks (reads stay a permutation within the k-row).
fn slot(kk: u32, v: u32) -> u32 { return kk * ROW_VEC4 + (v ^ ((kk >> 2u) << 1u)); }

@compute @workgroup_size(TILE / 4u, TILE / 4u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  // Loader role: tile row r (0..63) and k quad q (0..3); compute role: rows 4*tm.. and columns
  // 4*tn.. of the tile (tm = lid3.y, tn = lid3.x).
  var acc: Acc;
  gemm_k_walk(tile_loader(lid, row0, col0), wid.z, lid3.y, lid3.x, &acc);
  store4x4(wid.z * params.m, row0 + lid3.y * 4u, col0 + lid3.x * 4u, acc[0], acc[1], acc[2], acc[3]);
}

// A 4x4 register block: rows 4tm.. of the tile, one vec4 of columns 4tn.. each.
alias Acc = array<vec4<f32>, 4>;

// The FMAs of k-row kk of the buffer at vec4 b (gemm-double-buffer's `tile_math`).
fn tile_math(acc: ptr<function, Acc>, b: u32, kk: u32, tm: u32, tn: u32) {
  let a = tile_x[b + slot(kk, tm)];
  let c = tile_w[b + slot(kk, tn)];
  (*acc)[0] += a.x * c;
  (*acc)[1] += a.y * c;
  (*acc)[2] += a.z * c;
  (*acc)[3] += a.w * c;
}
