// The registry of selective-scan kernel versions, iterated by the tests and the bench:
// v1-sequential (GPU reference) then the fused design(s), fastest last.

import type { ScanKernelVersion } from './types.js';
import { v1Sequential } from './v1-sequential.js';
import { v2Chunked } from './v2-chunked.js';
import { v3SubgroupScan } from './v3-subgroup-scan.js';

/**
 * Every kernel version, in order of introduction; `selectiveScan` uses the last automatic one that
 * supports a problem (v3 is `automatic: false` until it beats v2 on the H200).
 */
export const SCAN_KERNELS: readonly ScanKernelVersion[] = [v1Sequential, v2Chunked, v3SubgroupScan];
