// The Mamba paper's synthetic tasks (§4.1): Selective Copying and Induction Heads. Seeded data
// generators, the 2-layer d_model 64 task models (selective S6 and the LTI ablation), training
// on fresh rows, and evaluation (held-out accuracy; per length up to 2^20 in constant memory).
// Browser-safe: no Node built-ins.

export { rowSeed, TaskRandom } from './random.js';
export {
  type RowSource,
  type SyntheticTask,
  type TaskBatch,
  TaskSampler,
  TaskStream,
  taskBatch,
} from './task.js';
export {
  SELECTIVE_COPYING_DEFAULTS,
  SelectiveCopying,
  type SelectiveCopyingOptions,
} from './selective-copying.js';
export { INDUCTION_HEADS_DEFAULTS, InductionHeads, type InductionHeadsOptions } from './induction-heads.js';
export { TASK_MODEL_DEFAULTS, type TaskModelOptions, taskModelConfig } from './config.js';
export { inferenceWeights } from './inference-weights.js';
export {
  argmaxRows,
  type ChunkedPredictOptions,
  ChunkedPredictor,
  predictAnswersTraining,
} from './predict.js';
export {
  EVALUATION_SEED,
  type EvaluateOptions,
  evaluateInductionHeads,
  evaluateSelectiveCopying,
  evaluateTask,
  INDUCTION_HEADS_EVAL_LENGTHS,
  type InductionEvaluateOptions,
  type LengthScore,
  scoreAnswers,
  type TaskScore,
  VALIDATION_SEED,
} from './evaluate.js';
export {
  type TaskStepRecord,
  type TaskTrainingOptions,
  type TaskTrainingResult,
  trainTask,
} from './train.js';
export {
  PAPER_RESULTS,
  runTaskExperiment,
  type TaskExperiment,
  type TaskExperimentHooks,
  type TaskExperimentId,
  type TaskExperimentResult,
  taskExperiments,
  type TaskSizing,
} from './experiments.js';
export {
  escapeXml,
  type HorizontalLine,
  type LineChartSpec,
  type LineSeries,
  lineChartSvg,
  niceTicks,
} from './report/line-chart.js';
