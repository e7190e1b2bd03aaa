// Library `gemm-double-buffer`: the K walk of gemm-splitk-v1 and gemm-v2. K tiles of TILE_K are
// double-buffered in workgroup memory and the next tile's global loads are issued into registers
// before the current tile's math, so one barrier per K tile remains and the global latency hides
// behind the FMAs. Declares gemm-tiles' tile_x and tile_w: 2 buffers, k-major: [buf][kk][TILE rows].
// Contract with the kernel that includes it: gemm-tiles' (TILE, TILE_K, `slot`), the register
// block type `Acc` and `tile_math(acc, b, kk, tm, tn)`: the FMAs of k-row kk of the buffer that
// starts at vec4 b into the block of compute role (tm, tn). Uses `gemm-tiles`.

const ROW_VEC4: u32 = TILE / 4u; // vec4 per k-row of a tile (TILE floats)
const BUF: u32 = TILE_K * ROW_VEC4; // vec4 per buffer

var<workgroup> tile_x: array<vec4<f32>, 2u * BUF>;
var<workgroup> tile_w: array<vec4<f32>, 2u * BUF>;

// Accumulates split-K slice z of the workgroup's tile, K in [z * k_slice, +k_slice) (all of K
// when params.k_slice = params.k), into *acc: loader role l, compute role (tm, tn). Called from
// uniform control flow (it has the barriers).
fn gemm_k_walk(l: TileLoader, z: u32, tm: u32, tn: u32, acc: ptr<function, Acc>) {
  let k_lo = z * params.k_slice;
  let k_hi = min(k_lo + params.k_slice, params.k);
  var quads = load_quads(l, k_lo, k_hi);
  store_quads(0u, l, quads);
  workgroupBarrier();
  var buf = 0u;
  for (var k0 = k_lo; k0 < k_hi; k0 += TILE_K) {
    let next = k0 + TILE_K < k_hi;
    if (next) { quads = load_quads(l, k0 + TILE_K, k_hi); }
    let b = buf * BUF;
    for (var kk = 0u; kk < TILE_K; kk++) { tile_math(acc, b, kk, tm, tn); }
    if (next) { store_quads((buf ^ 1u) * BUF, l, quads); }
    workgroupBarrier();
    buf ^= 1u;
  }
}
