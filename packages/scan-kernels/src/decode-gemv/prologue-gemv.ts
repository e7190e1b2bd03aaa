// Sizes, WGSL library and launch grid of the decode GEMVs with a fused prologue (in_proj after
// the RMSNorm in mamba-model, x_proj after the conv step in conv1d/): one TS source for the
// workgroup shape that the `prologue-gemv` library and each prologue body are built with.
// rows: (m, k) made by the prologue; W: (n, k) any float dtype; out: (m, n) f32.

import type { GpuContext } from '@mamba-webgpu/tensor';
import { type WgslLibrary, dispatch1d, wgslLibrary } from '@mamba-webgpu/tensor/internal';
import source from './prologue-gemv.wgsl';

/** Threads per workgroup. */
const WORKGROUP = 256;
/** Workgroup memory the prologue's rows may take (lavapipe has 32 KiB in all). */
const ROWS_BYTES = 20 * 1024;
/** At most this many rows of x per z-slice. */
const MAX_SLICE_ROWS = 8;

/**
 * The sizing heuristic's knobs: at most `maxWRows` W rows per workgroup, and about
 * `targetWorkgroups` workgroups over all slices (narrow W gets fewer rows per workgroup).
 */
export interface PrologueGemvTuning {
  maxWRows: number;
  targetWorkgroups: number;
}

export const DEFAULT_PROLOGUE_GEMV_TUNING: Readonly<PrologueGemvTuning> = {
  maxWRows: 8,
  targetWorkgroups: 128,
};

const tuning: PrologueGemvTuning = { ...DEFAULT_PROLOGUE_GEMV_TUNING };

/**
 * @internal Sets the sizing knobs for every later prologue GEMV (tune scripts compare them; the
 * pipeline cache keys on the resulting constants). Returns the previous values.
 */
export function setPrologueGemvTuning(next: Partial<PrologueGemvTuning>): PrologueGemvTuning {
  const previous = { ...tuning };
  Object.assign(tuning, next);
  return previous;
}

/** `prologue-gemv`: gemv_rows, gemv_store (see the .wgsl header for what the kernel declares). */
export const PROLOGUE_GEMV: WgslLibrary = wgslLibrary('prologue-gemv', source);

/** The generated constants of one prologue GEMV pipeline. */
export interface PrologueGemvSizes {
  /** Rows of x per z-slice (each workgroup repeats the prologue for its slice). */
  readonly MB: number;
  /** Length of a row (the reduction dim). */
  readonly K: number;
  /** Rows of W per workgroup. */
  readonly ROWS: number;
  /** Threads per W row. */
  readonly TPR: number;
  readonly WORKGROUP: number;
}

/** The sizes for out (m, n) = rows (m, k) @ W (n, k)^T. */
export function prologueGemvSizes(m: number, n: number, k: number): PrologueGemvSizes {
  const MB = Math.min(MAX_SLICE_ROWS, Math.max(1, Math.floor(ROWS_BYTES / 4 / k)), m);
  const slices = Math.ceil(m / MB);
  const ROWS = Math.max(
    1,
    Math.min(
      tuning.maxWRows,
      2 ** Math.floor(Math.log2(Math.max(1, (n * slices) / tuning.targetWorkgroups))),
    ),
  );
  return { MB, K: k, ROWS, TPR: WORKGROUP / ROWS, WORKGROUP };
}

/** Workgroup memory of the library's arrays, plus `extra` bytes the prologue declares. */
export function prologueGemvWorkgroupBytes(sizes: PrologueGemvSizes, extra = 0): number {
  return 4 * (sizes.MB * sizes.K + sizes.MB * sizes.WORKGROUP) + extra;
}

/**
 * Whether a prologue GEMV of these sizes runs on `ctx`: rows as vec4 (k a multiple of 4) and its
 * workgroup memory within the device's limit.
 */
export function prologueGemvFits(ctx: GpuContext, sizes: PrologueGemvSizes, extra = 0): boolean {
  return (
    sizes.K % 4 === 0 && prologueGemvWorkgroupBytes(sizes, extra) <= ctx.limits.maxComputeWorkgroupStorageSize
  );
}

/** The grid: ceil(n / ROWS) workgroups (folded into x, y) per z-slice of MB rows. */
export function prologueGemvGrid(
  ctx: GpuContext,
  m: number,
  n: number,
  sizes: PrologueGemvSizes,
): [number, number, number] {
  const [x, y] = dispatch1d(Math.ceil(n / sizes.ROWS), ctx.limits.maxComputeWorkgroupsPerDimension);
  return [x, y, Math.ceil(m / sizes.MB)];
}
