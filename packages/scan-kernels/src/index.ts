// @mamba-webgpu/scan-kernels: Mamba's selective scan (fused, chunked, WGSL), the depthwise causal
// conv1d and the single-token decode steps, on tensors of @mamba-webgpu/tensor.

export { selectiveScan } from './selective-scan/selective-scan.js';
export type { SelectiveScanArgs, SelectiveScanResult } from './selective-scan/types.js';
export { selectiveScanRef, type SelectiveScanRefArgs } from './selective-scan/selective-scan-ref.js';
export { MAX_D_STATE } from './selective-scan/validate.js';
export {
  causalConv1d,
  MIN_CONV_WIDTH,
  MAX_CONV_WIDTH,
  type CausalConv1dArgs,
  type CausalConv1dResult,
} from './conv1d/causal-conv1d.js';
export { causalConv1dRef } from './conv1d/causal-conv1d-ref.js';
export { causalConv1dUpdate } from './conv1d/causal-conv1d-update.js';
export type { CausalConv1dUpdateArgs } from './conv1d/causal-conv1d-update-types.js';
export { causalConv1dUpdateRef, type CausalConv1dUpdateRefArgs } from './conv1d/causal-conv1d-update-ref.js';
export { selectiveStateUpdate } from './state-update/selective-state-update.js';
export type { SelectiveStateUpdateArgs, FusedConvStep } from './state-update/types.js';
export {
  selectiveStateUpdateRef,
  type SelectiveStateUpdateRefArgs,
} from './state-update/selective-state-update-ref.js';
