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
export {
  causalConv1dBackward,
  type CausalConv1dBackwardOptions,
} from './conv1d-backward/causal-conv1d-backward.js';
export type {
  CausalConv1dBackwardArgs,
  CausalConv1dBackwardResult,
} from './conv1d-backward/types.js';
export {
  causalConv1dBackwardRef,
  type CausalConv1dBackwardRefArgs,
  type CausalConv1dBackwardRefResult,
} from './conv1d-backward/causal-conv1d-backward-ref.js';
export { CONV1D_BACKWARD_KERNELS } from './conv1d-backward/kernels.js';
export {
  selectiveScanForwardForTraining,
  selectiveScanBackward,
} from './selective-scan-backward/selective-scan-backward.js';
export type {
  ScanCheckpoint,
  SelectiveScanBackwardArgs,
  SelectiveScanGrads,
  SelectiveScanTrainingArgs,
  SelectiveScanTrainingResult,
} from './selective-scan-backward/types.js';
export {
  selectiveScanBackwardRef,
  selectiveScanForwardRef64,
  type SelectiveScanBackwardRefArgs,
  type SelectiveScanGradsRef,
  type ScanForwardRef64,
} from './selective-scan-backward/selective-scan-backward-ref.js';
