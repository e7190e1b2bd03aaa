// Internal API for sibling packages (mamba-model, bench, playground): the kernel registry, the
// problem/plan steps of selectiveScan, the shared WGSL library and the tuning building blocks.
// May change without a major version.

export * from './decode-internal.js';
export { SCAN_KERNELS } from './selective-scan/kernels.js';
export { SSM_MATH } from './ssm-math/ssm-math.js';
export type { ScanKernelVersion, ScanOperand, ScanProblem } from './selective-scan/types.js';
export {
  automaticScanKernels,
  CPU_ADAPTER_SCAN_KERNEL,
  planScan,
  prepareScan,
} from './selective-scan/selective-scan.js';
export { validateScan, type ScanSizes } from './selective-scan/validate.js';
export {
  type ChunkedConfig,
  chunkedKernel,
  chunkedSpec,
  chunkedWorkgroupBytes,
  DEFAULT_CHUNKED_CONFIG,
  readsRowsInPlace,
  recordChunked,
  stateTiling,
} from './selective-scan/v2-chunked.js';
export {
  DEFAULT_SUBGROUP_SCAN_CONFIG,
  type SubgroupScanConfig,
  subgroupScanKernel,
  subgroupScanSpec,
  subgroupScanWorkgroupBytes,
} from './selective-scan/v3-subgroup-scan.js';
export { recordV1Sequential } from './selective-scan/v1-sequential.js';
export { SCAN_BACKWARD_KERNELS } from './selective-scan-backward/kernels.js';
export {
  chunkedReverseKernel,
  DEFAULT_TRAINING_CONFIG,
} from './selective-scan-backward/v1-chunked-reverse.js';
export {
  selectiveScanBackwardWith,
  selectiveScanForwardForTrainingWith,
  type ScanTrainingOptions,
} from './selective-scan-backward/selective-scan-backward.js';
export type {
  ScanBackwardKernel,
  ScanBackwardProblem,
  ScanTrainingConfig,
  ScanTrainingProblem,
} from './selective-scan-backward/types.js';
