// Internal API for sibling packages (mamba-model, bench): the kernel registry, the scan variant
// taking B/C as (batch, seqLen, dState), and the building blocks. May change without a major version.

export { SCAN_KERNELS, scanKernel } from './selective-scan/kernels.js';
export {
  pickScanKernel,
  runScanKernel,
  type ScanOptions,
  selectiveScanWith,
} from './selective-scan/selective-scan.js';
export type {
  BcLayout,
  BcRows,
  ScanKernel,
  ScanProblem,
  ScanViews,
  StridedView,
} from './selective-scan/types.js';
export { recordV1Sequential } from './selective-scan/v1-sequential.js';
export {
  type ChunkedConfig,
  chunkedCode,
  chunkedKernel,
  chunkedWorkgroupBytes,
  DEFAULT_CHUNKED_CONFIG,
  recordChunked,
  rowsReadable,
  stateTiling,
} from './selective-scan/v2-chunked.js';
export {
  DEFAULT_SUBGROUP_SCAN_CONFIG,
  type SubgroupScanConfig,
  subgroupScanCode,
  subgroupScanKernel,
  subgroupScanWorkgroupBytes,
} from './selective-scan/v3-subgroup-scan.js';
export { validateScan } from './selective-scan/validate.js';
export { SSM_MATH } from './ssm-math/ssm-math.js';

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { selectiveScanWith } from './selective-scan/selective-scan.js';
import type { BcRows, SelectiveScanArgs, SelectiveScanResult, StridedView } from './selective-scan/types.js';
import { DEFAULT_CHUNKED_CONFIG, rowsReadable } from './selective-scan/v2-chunked.js';

/**
 * selectiveScan with B and C as (batch, seqLen, dState), the layout x_proj produces: with dState a
 * multiple of 4 (and of 16 above 16) the fused kernel reads them directly, without a packing pass.
 */
export function selectiveScanBln(ctx: GpuContext, args: SelectiveScanArgs): SelectiveScanResult {
  return selectiveScanWith(ctx, args, { bcLayout: 'bln' });
}

/**
 * Arguments of `selectiveScanRows`: the official ones with B and C replaced by one rows tensor,
 * optionally delta and z read through strided views and y written token-major.
 */
export type SelectiveScanRowsArgs = Omit<SelectiveScanArgs, 'B' | 'C'> & {
  bc: Tensor;
  deltaView?: StridedView;
  zView?: StridedView;
  tokenMajorY?: boolean;
} & BcRows;

/**
 * selectiveScan reading B and C in place from the rows of one (batch, seqLen, width) tensor — the
 * x_proj output [dt | B | C] — with no slicing copies and no packing pass. Check
 * `canScanRows` first; otherwise slice B and C out and use `selectiveScanBln`.
 */
export function selectiveScanRows(ctx: GpuContext, args: SelectiveScanRowsArgs): SelectiveScanResult {
  const { bc, width, bOffset, cOffset, deltaView, zView, tokenMajorY, ...rest } = args;
  return selectiveScanWith(
    ctx,
    { ...rest, B: bc, C: bc },
    {
      bcRows: { width, bOffset, cOffset },
      ...(deltaView || zView ? { views: { delta: deltaView, z: zView } } : {}),
      ...(tokenMajorY ? { tokenMajorY } : {}),
    },
  );
}

/** Whether the default fused kernel reads B/C rows of this layout in place. */
export function canScanRows(dState: number, rows: BcRows): boolean {
  return rowsReadable({ dState, bcRows: rows }, DEFAULT_CHUNKED_CONFIG);
}
