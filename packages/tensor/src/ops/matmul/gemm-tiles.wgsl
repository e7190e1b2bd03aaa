// Library `gemm-tiles`: what the tiled GEMM versions (gemm-v1, gemm-splitk-v1, gemm-v2) share. Each
// invocation loads one vec4 (4 consecutive K elements) of one x row and one W row per K tile of
// TILE_K and stores them transposed (k-major) in workgroup memory; the register blocks go out
// through store4 / store4x4. The math over the tiles (register blocks, swizzle) stays per version.
// Contract with the kernel that includes it: the constants TILE and TILE_K (a multiple of 4;
// TILE * TILE_K / 4 invocations), the workgroup arrays tile_x and tile_w (vec4<f32>) and its
// `slot(kk, v)`: the vec4 index, inside one buffer, of tile rows 4v..4v+3 of k-row kk. Uses
// `matmul-operands` (x_at, w_at, read4_x, read4_w) and `matmul-epilogue` (store_out).

const K_QUADS: u32 = TILE_K / 4u; // vec4 per tile row and K tile

// The loader role of invocation lid: tile row r (0..TILE-1) of x and of W and k quad q
// (0..K_QUADS-1); x_ok / w_ok are false past the last row (the base is then a real row's).
struct TileLoader {
  r: u32,
  q: u32,
  x_ok: bool,
  w_ok: bool,
  x_base: u32,
  w_base: u32,
}

fn tile_loader(lid: u32, row0: u32, col0: u32) -> TileLoader {
  let r = lid / K_QUADS;
  return TileLoader(r, lid % K_QUADS, row0 + r < params.m, col0 + r < params.n,
                    x_at(min(row0 + r, params.m - 1u), 0u), w_at(min(col0 + r, params.n - 1u), 0u));
}

// The loader's vec4s of the K tile at k0: K elements k0 + 4q.. of its x row and its W row, zeros
// at K >= k_hi and past the last row.
struct TileQuads {
  x: vec4<f32>,
  w: vec4<f32>,
}

fn load_quads(l: TileLoader, k0: u32, k_hi: u32) -> TileQuads {
  let k = k0 + l.q * 4u;
  var v = TileQuads(vec4<f32>(0.0), vec4<f32>(0.0));
  if (l.x_ok && k < k_hi) { v.x = read4_x(l.x_base, k); }
  if (l.w_ok && k < k_hi) { v.w = read4_w(l.w_base, k); }
  return v;
}

// Stores them transposed into the buffer that starts at vec4 `buf` of tile_x and tile_w.
fn store_quads(buf: u32, l: TileLoader, v: TileQuads) {
  for (var j = 0u; j < 4u; j++) {
    let s = buf + slot(l.q * 4u + j, l.r >> 2u);
    tile_x[s][l.r & 3u] = v.x[j];
    tile_w[s][l.r & 3u] = v.w[j];
  }
}

// Stores columns n..n+3 of row m (< params.m checked here) at row z_row + m of out: a split-K
// slice z writes at z_row = z * params.m of its workspace; without split z_row = 0.
fn store4(z_row: u32, m: u32, n: u32, v: vec4<f32>) {
  if (m >= params.m) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n + j < params.n) { store_out(z_row + m, n + j, v[j]); }
  }
}

// Stores a 4x4 register block: rows m..m+3 (row i from v_i), columns n..n+3.
fn store4x4(z_row: u32, m: u32, n: u32, v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>) {
  store4(z_row, m, n, v0);
  store4(z_row, m + 1u, n, v1);
  store4(z_row, m + 2u, n, v2);
  store4(z_row, m + 3u, n, v3);
}
