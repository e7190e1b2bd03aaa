// The sizes of every matmul kernel version, in one place: each object is spread into its
// kernel's generated `const` header and read by the host for the dispatch grid, so a workgroup
// or tile size has one source. Derived sizes (a tile's vec4 per k-row...) are computed in WGSL.

/** gemv-v1: WORKGROUP threads, THREADS_PER_ROW per row of W, W_ROWS rows of W per workgroup, up to MAX_MB rows of x. */
export const GEMV_V1 = { WORKGROUP: 256, THREADS_PER_ROW: 32, W_ROWS: 8, MAX_MB: 8 } as const;

/** gemv-v2: 64 threads per W row, 4 rows per workgroup, 4 loads in flight per thread. */
export const GEMV_V2 = { WORKGROUP: 256, THREADS_PER_ROW: 64, W_ROWS: 4, MAX_MB: 8, UNROLL: 4 } as const;

/** gemm-v1: TILE x TILE output tiles ((TILE / 4)^2 threads, 4x4 blocks), K tiles of TILE_K. */
export const GEMM_V1 = { TILE: 64, TILE_K: 16 } as const;

/** gemm-splitk-v1: gemm-v1's tiles, double-buffered. */
export const GEMM_SPLITK_V1 = { TILE: 64, TILE_K: 16 } as const;

/** gemm-v2 (and gemm-v2-splitk): TILE x TILE output tiles ((TILE / 8)^2 threads, 8x8 blocks). */
export const GEMM_V2 = { TILE: 128, TILE_K: 8 } as const;

/** gemm-v3: TILE x TILE_N output tiles ((TILE_N / 4) x (TILE / 8) threads, 8x4 blocks), K tiles of TILE_K. */
export const GEMM_V3 = { TILE: 128, TILE_N: 64, TILE_K: 16 } as const;

/** The split-K reduce pass: one thread per output element. */
export const MATMUL_REDUCE = { WORKGROUP: 256 } as const;
