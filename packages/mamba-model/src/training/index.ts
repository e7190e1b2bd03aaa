// Browser-safe public API of the training layer: AdamW on the GPU (with its CPU reference), the
// global gradient norm and clipping, learning-rate schedules, gradient accumulation, and the
// platform-neutral checkpoint and optimizer-state serialisation.

export type { Named } from './named.js';
export {
  type AdamWOptions,
  type AdamWStepOptions,
  type AdamWStepScalars,
  adamwStepScalars,
  DEFAULT_NO_DECAY,
  type ResolvedAdamWOptions,
  resolveAdamWOptions,
} from './optimizer/adamw-options.js';
export { ADAMW_KERNELS, AdamW, type AdamWConstructorOptions, type AdamWProblem } from './optimizer/adamw.js';
export { AdamWRef, type AdamWRefOptions, type AdamWRefState } from './optimizer/adamw-ref.js';
export {
  type ClipGradNormOptions,
  clipGradNorm,
  type Gradients,
  GradNorm,
  type GradNormOptions,
  gradNorm,
} from './grad-norm/grad-norm.js';
export { clipGradNormRef, gradNormRef } from './grad-norm/grad-norm-ref.js';
export {
  type ConstantScheduleOptions,
  type CosineScheduleOptions,
  constantSchedule,
  cosineSchedule,
  type LrSchedule,
  type LrScheduleKind,
  lrSchedule,
} from './schedule/lr-schedule.js';
export { GradAccumulator, type GradAccumulatorOptions } from './accumulate/grad-accumulator.js';
export { accumulateGradsRef } from './accumulate/grad-accumulator-ref.js';
export {
  type CheckpointFiles,
  checkpointFiles,
  type SavableTensor,
  type SaveCheckpointOptions,
} from './checkpoint/hf-checkpoint.js';
export {
  OPTIMIZER_STATE_FILE,
  OPTIMIZER_STATE_VERSION,
  type OptimizerHyperParameters,
  type OptimizerState,
  type OptimizerStateEntry,
  readOptimizerState,
  serializeOptimizerState,
} from './checkpoint/optimizer-state.js';
export { Trainer, type TrainerOptions, type StepResult, type HostBatch } from './trainer.js';
export { MambaParameters, type ParameterEntry, parameterNames, parameterSpec } from './model/parameters.js';
export { isLtiParameters, ltiParameterNames, ltiParameterSpec, ltiParameters } from './model/lti.js';
export {
  languageModelHidden,
  languageModelLoss,
  nextTokenTargets,
  type LanguageModelLossOptions,
  type TokenBatch,
} from './model/loss.js';
export {
  type TokenDataset,
  parseIdsJson,
  packTokens,
  seededPermutation,
  batchAt,
} from './data/dataset.js';
