// loading
export * from './loading/index.js';
// training
export * from './training/index.js';
// model
export { type GenerateOptions, resolveGenerateOptions } from './model/generate-options.js';
export {
  type GenerationStats,
  type LoadModelOptions,
  loadModelFromStore,
  MambaModel,
  type StreamChunk,
} from './model/mamba-model.js';
export {
  type MambaWeights,
  type LayerWeights,
  type WeightDType,
  type WeightPlan,
  WEIGHT_DTYPES,
  planWeights,
  uploadWeights,
  disposeWeights,
} from './model/weights.js';
export { checkWeightsFit } from './model/weight-fit.js';
export { type ModelTokenizer, type StreamDecoder, loadTokenizer } from './model/tokenizer.js';
export { type ResolvedSampling, type SamplingOptions, resolveSampling } from './sampling/options.js';
export { type NonFiniteLogits, NonFiniteLogitsError } from './sampling/errors.js';
export { nonFiniteKindsRef, sampleRef } from './sampling/sample-ref.js';
export { randomWeights } from './model/random-weights.js';
// serving: the OpenAI API in-process, with continuous batching
export * from './serving/index.js';
// the paper's synthetic tasks
export * from './tasks/index.js';
