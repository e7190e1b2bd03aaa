// gemm-splitk-v1: GEMMs with few output tiles (decode batch 64, prefill at m = 256, x_proj's 80
// outputs). out = x @ W^T on one chunk, or one K slice of it into a workspace.
// x: (m, k) view `x_at`; W: (n, k) view `w_at` (PyTorch (out, in) layout); out: (m, out_stride).
// What changes against gemm-v1 and why: gemm-v1 launches one workgroup per 64x64 tile and walks
// all of K serially, so (64 x 768) @ (3072 x 768)^T runs 48 workgroups on 132 SMs, each waiting
// on one global load per K tile. Here z-slice `wid.z` covers only K in [wid.z * k_slice,
// +k_slice) and writes its rows at m + wid.z * m (the host binds a workspace as `out`, then a
// reduce pass sums the slices and applies the epilogue), so the host can launch ~2 waves. The
// K tiles are double-buffered in workgroup memory with the next tile's global loads issued into
// registers before the math (one barrier per K tile); the tile and register blocks are gemm-v1's.
// TILE (64), TILE_K (16): GEMM_SPLITK_V1 in matmul-kernels.ts.

const ROW_VEC4: u32 = TILE / 4u; // vec4 per k-row of a tile (64 floats)
const BUF: u32 = TILE_K * ROW_VEC4; // vec4 per buffer

var<workgroup> tile_x: array<vec4<f32>, 2u * BUF>; // 2 buffers, k-major: [buf][kk][64 rows]
var<workgroup> tile_w: array<vec4<f32>, 2u * BUF>;

// The vec4 slots of k-row kk are XOR-swizzled by 2 * (kk / 4) so the four k quads one warp
// stores land in different banks (reads stay a permutation within the k-row).
fn slot(kk: u32, v: u32) -> u32 { return kk * ROW_VEC4 + (v ^ ((kk >> 2u) << 1u)); }

@compute @workgroup_size(TILE / 4u, TILE / 4u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let k_lo = wid.z * params.k_slice;
  let k_hi = min(k_lo + params.k_slice, params.k);
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
      let a = tile_x[b + slot(kk, tm)];
      let c = tile_w[b + slot(kk, tn)];
      acc[0] += a.x * c;
      acc[1] += a.y * c;
      acc[2] += a.z * c;
      acc[3] += a.w * c;
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
  let out_row0 = wid.z * params.m;
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + tm * 4u + i;
    if (m >= params.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + tn * 4u + j;
      if (n < params.n) { store_out(out_row0 + m, n, acc[i][j]); }
    }
  }
}
