// The automatic choice among the matmul kernel versions, from timings on an H200
// (`scripts/tune-matmul.ts`, docs/perf-notes.md "Matmul (tensor)"), and the split-K plan of the
// versions that split K. Pure functions of the problem's sizes.

import type { MatmulKernel } from './matmul-kernels.js';
import { GEMM_SPLITK_V1, GEMM_V1, GEMM_V2, GEMM_V3 } from './matmul-sizes.js';

/** Largest m (rows of x) that `auto` sends to a GEMV kernel. */
export const GEMV_MAX_M = 32;

/**
 * K from which `auto` takes gemv-v2 (4 loads in flight per thread) over gemv-v1 at m <= GEMV_MAX_M:
 * on the H200 (tune-decode) out_proj at K 1536 4.8 vs 6.4 us, at K 5120 19.6 vs 30.9 us (f32);
 * dt_proj (K 48, 160) and the mamba-130m LM head (K 768) read faster with gemv-v1.
 */
export const GEMV_V2_MIN_K = 1024;

/** Largest m for gemv-v2 (measured at m = 1; its MB accumulators and UNROLL loads grow with m). */
export const GEMV_V2_MAX_M = 4;

/** Narrow products (n <= GEMV_NARROW_MAX_N) stay on the GEMV up to this many rows of x. */
export const GEMV_NARROW_MAX_M = 512;

/** Output width up to which a product counts as narrow (x_proj's 80 outputs). */
export const GEMV_NARROW_MAX_N = 128;

/** K from which a many-tile product (a training dW = dY^T X over the tokens) takes the double-buffered kernel. */
export const LONG_K = 8192;

/** Split-K aims at this many workgroups: two waves of an H200's 132 SMs. */
export const SPLIT_K_TARGET_GROUPS = 264;

/** Split-K never gives a slice fewer K elements than this (the reduce pass costs a dispatch). */
export const SPLIT_K_MIN_SLICE = 64;

/** K slices are multiples of this: a whole number of K tiles of every split-K version. */
const SPLIT_K_ALIGN = Math.max(GEMM_SPLITK_V1.TILE_K, GEMM_V2.TILE_K);

/** The most K slices of one split-K dispatch. */
const SPLIT_K_MAX = 64;

/**
 * K slices for a split-K GEMM with `tiles` output tiles: enough for SPLIT_K_TARGET_GROUPS
 * workgroups, slices of at least SPLIT_K_MIN_SLICE elements rounded to whole K tiles, at most
 * `maxSplits` (the workspace must fit one binding). `{ splits: 1, kSlice: k }` means no split.
 */
export function splitK(
  tiles: number,
  k: number,
  maxSplits = SPLIT_K_MAX,
): { splits: number; kSlice: number } {
  const want = Math.min(
    Math.ceil(SPLIT_K_TARGET_GROUPS / tiles),
    Math.floor(k / SPLIT_K_MIN_SLICE),
    maxSplits,
    SPLIT_K_MAX,
  );
  if (want <= 1) return { splits: 1, kSlice: k };
  const kSlice = Math.ceil(k / want / SPLIT_K_ALIGN) * SPLIT_K_ALIGN;
  return { splits: Math.ceil(k / kSlice), kSlice };
}

/**
 * The default kernel for an (m, k) @ (n, k)^T product (always an `automatic` version):
 * - m <= GEMV_MAX_M: gemv-v2 for m <= GEMV_V2_MAX_M from K = GEMV_V2_MIN_K, else gemv-v1 (decode);
 * - at least SPLIT_K_TARGET_GROUPS 64x64 tiles and K >= LONG_K (the dW of a training step):
 *   gemm-splitk-v1 (unsplit there: its double buffering wins over a long K, 5-8% on the H200);
 * - at least SPLIT_K_TARGET_GROUPS 128x64 tiles and m >= 128 (in_proj from m = 1024, every
 *   training-step forward and dX, the LM head over a chunk of tokens): gemm-v3 (8x4 blocks,
 *   10-35% faster than gemm-v1 there). Below 128 rows (the LM head at decode batch 64) half of
 *   its tile would be empty: from 28c86f8 to 2121bb1 that shape went to gemm-v3 and the batch-64
 *   decode measured 5-10% slower on the H200 (19.3-20.4k vs 21.6k tok/s);
 * - at least SPLIT_K_TARGET_GROUPS 64x64 tiles (in_proj at m = 512, out_proj at 2048), or K
 *   too short to split (dt_proj's 48): gemm-v1;
 * - otherwise few tiles and a long K: gemv-v1 for narrow outputs up to m = GEMV_NARROW_MAX_M
 *   (x_proj), else gemm-splitk-v1 (decode batch 64, out_proj up to m = 1024, x_proj from 1024).
 */
export function pickMatmulKernel(m: number, n: number, k: number): MatmulKernel {
  if (m <= GEMV_MAX_M) return m <= GEMV_V2_MAX_M && k >= GEMV_V2_MIN_K ? 'gemv-v2' : 'gemv-v1';
  const tiles = Math.ceil(m / GEMM_V1.TILE) * Math.ceil(n / GEMM_V1.TILE);
  if (tiles >= SPLIT_K_TARGET_GROUPS && k >= LONG_K) return 'gemm-splitk-v1';
  const tallTiles = Math.ceil(m / GEMM_V3.TILE) * Math.ceil(n / GEMM_V3.TILE_N);
  if (m >= GEMM_V3.TILE && tallTiles >= SPLIT_K_TARGET_GROUPS) return 'gemm-v3';
  if (tiles >= SPLIT_K_TARGET_GROUPS || splitK(tiles, k).splits === 1) return 'gemm-v1';
  if (n <= GEMV_NARROW_MAX_N && m <= GEMV_NARROW_MAX_M) return 'gemv-v1';
  return 'gemm-splitk-v1';
}
