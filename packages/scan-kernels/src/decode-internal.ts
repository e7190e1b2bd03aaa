// Internal API of the decode-step kernels (re-exported by internal.ts): the registries of
// selectiveStateUpdate and causalConv1dUpdate, their with-options entry points, prepare, and the
// prologue-GEMV building blocks the model's in_proj GEMV shares. May change without a major version.

export {
  SELECTIVE_STATE_UPDATE_KERNELS,
  selectiveStateUpdateWith,
  prepareSelectiveStateUpdate,
  type StateUpdateOptions,
} from './state-update/selective-state-update.js';
export type {
  StateUpdateKernel,
  StateUpdateProblem,
  StateUpdateWeights,
  PreparedStateUpdate,
} from './state-update/types.js';
export { fusedStepPackLayout, type FusedStepPrepared } from './state-update/v2-fused-step.js';
export { CAUSAL_CONV1D_UPDATE_KERNELS, causalConv1dUpdateWith } from './conv1d/causal-conv1d-update.js';
export type {
  CausalConv1dUpdateKernel,
  CausalConv1dUpdateProblem,
} from './conv1d/causal-conv1d-update-types.js';
export {
  PROLOGUE_GEMV,
  prologueGemvSizes,
  prologueGemvFits,
  prologueGemvGrid,
  prologueGemvWorkgroupBytes,
  type PrologueGemvSizes,
  DEFAULT_PROLOGUE_GEMV_TUNING,
  setPrologueGemvTuning,
  type PrologueGemvTuning,
} from './decode-gemv/prologue-gemv.js';
