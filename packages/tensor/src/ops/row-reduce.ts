// The `row-reduce` WGSL library (workgroup sum and max over one row) and the one size every
// kernel including it launches with.

import { type WgslLibrary, wgslLibrary } from '../shader/library.js';
import source from './row-reduce.wgsl';

/** Threads per row of the one-row-per-workgroup kernels (argmax, rmsnorm, softmax). */
export const ROW_WORKGROUP = 256;

/**
 * `reduce_sum(v, lid)` and `reduce_max(v, lid)` over a workgroup of WORKGROUP threads: the kernel
 * declares `WORKGROUP` (a power of two, e.g. ROW_WORKGROUP) in its constants.
 */
export const ROW_REDUCE: WgslLibrary = wgslLibrary('row-reduce', source);
