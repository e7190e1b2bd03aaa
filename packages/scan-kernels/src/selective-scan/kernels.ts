// The registry of selective-scan kernel versions, iterated by the tests and the bench:
// v1-sequential (GPU reference) then the fused design(s), fastest last.

import type { ScanKernel } from './types.js';
import { v1Sequential } from './v1-sequential.js';
import { v2Chunked } from './v2-chunked.js';
import { v3SubgroupScan } from './v3-subgroup-scan.js';

/**
 * Every kernel version, in order of introduction; `selectiveScan` uses the last that supports a
 * problem and is not marked `automatic: false` (v3 is, until it beats v2 on the H200).
 */
export const SCAN_KERNELS: readonly ScanKernel[] = [v1Sequential, v2Chunked, v3SubgroupScan];

/** The registered kernel with this name. */
export function scanKernel(name: string): ScanKernel {
  const kernel = SCAN_KERNELS.find((k) => k.name === name);
  if (!kernel)
    throw new Error(
      `scanKernel: no kernel named ${name}; have ${SCAN_KERNELS.map((k) => k.name).join(', ')}`,
    );
  return kernel;
}
