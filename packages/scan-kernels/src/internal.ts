// Internal API for sibling packages (mamba-model, bench): the kernel registry, the scan variant
// taking B/C as (batch, seqLen, dState), and the building blocks. May change without a major version.

export { SCAN_KERNELS, scanKernel } from './selective-scan/kernels.js';
export type { BcLayout, ScanKernel, ScanProblem } from './selective-scan/types.js';
export {
  selectiveScanWith,
  runScanKernel,
  pickScanKernel,
  type ScanOptions,
} from './selective-scan/selective-scan.js';
export { validateScan } from './selective-scan/validate.js';
export {
  chunkedKernel,
  chunkedCode,
  recordChunked,
  stateTiling,
  chunkedWorkgroupBytes,
  DEFAULT_CHUNKED_CONFIG,
  type ChunkedConfig,
} from './selective-scan/v2-chunked.js';
export {
  subgroupScanKernel,
  subgroupScanCode,
  subgroupScanWorkgroupBytes,
  DEFAULT_SUBGROUP_SCAN_CONFIG,
  type SubgroupScanConfig,
} from './selective-scan/v3-subgroup-scan.js';
export { recordV1Sequential } from './selective-scan/v1-sequential.js';

import type { GpuContext } from '@mamba-webgpu/tensor';
import { selectiveScanWith } from './selective-scan/selective-scan.js';
import type { SelectiveScanArgs, SelectiveScanResult } from './selective-scan/types.js';

/**
 * selectiveScan with B and C as (batch, seqLen, dState), the layout x_proj produces: with dState a
 * multiple of 4 (and of 16 above 16) the fused kernel reads them directly, without a packing pass.
 */
export function selectiveScanBln(ctx: GpuContext, args: SelectiveScanArgs): SelectiveScanResult {
  return selectiveScanWith(ctx, args, { bcLayout: 'bln' });
}
