// Accuracy on freshly sampled held-out rows (a seed the training stream never uses): Selective
// Copying scores the fraction of answer tokens right and of rows entirely right (paper: ≥ 1000
// rows); Induction Heads scores the one answer per row at each length 2^6 .. 2^20 (paper: 100
// rows each), through the chunked inference path whose memory is constant in the length.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { isLtiParameters } from '../training/model/lti.js';
import type { MambaParameters } from '../training/model/parameters.js';
import { InductionHeads } from './induction-heads.js';
import { ChunkedPredictor, predictAnswersTraining } from './predict.js';
import { SelectiveCopying } from './selective-copying.js';
import { type SyntheticTask, TaskStream, checkIntegerIn } from './task.js';

/** The held-out stream's seed (training streams default to seed 0 and draw rows 0, 1, ...). */
export const EVALUATION_SEED = 0x5eed_e7a1;

/** The seed of the checks during training (early stopping): apart from the reported rows. */
export const VALIDATION_SEED = 0x5eed_0a11;

/** Accuracy over rows: answer tokens right, and rows with every answer right. */
export interface TaskScore {
  /** Fraction of answer tokens predicted right. */
  tokenAccuracy: number;
  /** Fraction of rows whose answers are all right. */
  sequenceAccuracy: number;
  sequences: number;
  answersPerSequence: number;
}

/** Scores predictions against answers, both (rows, answerCount) row-major. */
export function scoreAnswers(predicted: Int32Array, answers: Int32Array, answerCount: number): TaskScore {
  if (predicted.length !== answers.length || answers.length % answerCount !== 0) {
    throw new InvalidArgumentError(
      `scoreAnswers: predicted and answers must both be (rows, ${answerCount}), got ${predicted.length} and ${answers.length} entries`,
      'predicted',
    );
  }
  const rows = answers.length / answerCount;
  let tokens = 0;
  let whole = 0;
  for (let r = 0; r < rows; r++) {
    let right = 0;
    for (let j = 0; j < answerCount; j++)
      if (predicted[r * answerCount + j] === answers[r * answerCount + j]) right++;
    tokens += right;
    if (right === answerCount) whole++;
  }
  return {
    tokenAccuracy: tokens / answers.length,
    sequenceAccuracy: whole / rows,
    sequences: rows,
    answersPerSequence: answerCount,
  };
}

/** Options of `evaluateTask`. */
export interface EvaluateOptions {
  /** Held-out rows; default 1000. */
  sequences?: number;
  /** Seed of the held-out stream; default EVALUATION_SEED. */
  seed?: number;
  /** Rows per forward; default: about 2^16 tokens (training path) or 100 rows (chunked). */
  batch?: number;
  /**
   * `training`: the training forward without gradients (any block; default); `chunked`: the
   * inference forward chunk by chunk, memory constant in L (the selective model only).
   */
  path?: 'training' | 'chunked';
  /** Positions per chunk of the chunked path. */
  chunkLen?: number;
}

/** The model's accuracy on `sequences` held-out rows of `task`. */
export async function evaluateTask(
  params: MambaParameters,
  task: SyntheticTask,
  options: EvaluateOptions = {},
): Promise<TaskScore> {
  const fn = 'evaluateTask';
  if (params.config.vocabSize < task.vocabSize) {
    throw new InvalidArgumentError(
      `${fn}: the model's vocabulary (${params.config.vocabSize}) must cover the task's (${task.vocabSize})`,
      'params',
    );
  }
  const sequences = checkIntegerIn(fn, 'sequences', options.sequences ?? 1000, 1);
  const seed = options.seed ?? EVALUATION_SEED;
  const path = options.path ?? 'training';
  if (path !== 'training' && path !== 'chunked')
    throw new InvalidArgumentError(
      `${fn}: path must be 'training' or 'chunked', got ${String(path)}`,
      'path',
    );
  const defaultBatch = path === 'chunked' ? 100 : Math.max(1, Math.floor(2 ** 16 / task.seqLen));
  const batch = Math.min(sequences, checkIntegerIn(fn, 'batch', options.batch ?? defaultBatch, 1));
  const predictor = path === 'chunked' ? new ChunkedPredictor(params) : undefined;
  const predicted = new Int32Array(sequences * task.answerCount);
  const answers = new Int32Array(sequences * task.answerCount);
  try {
    for (let first = 0; first < sequences; first += batch) {
      const rows = Math.min(batch, sequences - first);
      const stream = new TaskStream(task, seed, first, rows);
      const got = predictor
        ? await predictor.predict(
            stream,
            options.chunkLen !== undefined ? { chunkLen: options.chunkLen } : {},
          )
        : await predictAnswersTraining(params, stream.next(task.seqLen), rows, task.seqLen, task.answerCount);
      predicted.set(got, first * task.answerCount);
      answers.set(stream.answers, first * task.answerCount);
    }
  } finally {
    predictor?.dispose();
  }
  return scoreAnswers(predicted, answers, task.answerCount);
}

/** Selective Copying accuracy (paper: 1000+ held-out rows at the training length). */
export function evaluateSelectiveCopying(
  params: MambaParameters,
  task: SelectiveCopying = new SelectiveCopying(),
  options: EvaluateOptions = {},
): Promise<TaskScore> {
  return evaluateTask(params, task, options);
}

/** Induction Heads lengths of the paper's Table 2: 2^6 .. 2^20. */
export const INDUCTION_HEADS_EVAL_LENGTHS: readonly number[] = Array.from(
  { length: 15 },
  (_, i) => 2 ** (i + 6),
);

/** Accuracy at one evaluation length. */
export interface LengthScore {
  seqLen: number;
  accuracy: number;
  sequences: number;
  /** Wall time of this length's evaluation. */
  ms: number;
}

/** Options of `evaluateInductionHeads`. */
export interface InductionEvaluateOptions extends Omit<EvaluateOptions, 'path'> {
  /** Lengths to evaluate; default 2^6 .. 2^20. */
  lengths?: readonly number[];
  /** Called after each length (progress). */
  onLength?: (score: LengthScore) => void;
}

/**
 * Induction Heads accuracy at each length (default 100 rows each), through the chunked inference
 * path: memory constant in L, so 2^20 fits. The selective model only (the LTI ablation has no
 * inference path; evaluate it with `evaluateTask` at moderate lengths).
 */
export async function evaluateInductionHeads(
  params: MambaParameters,
  task: InductionHeads = new InductionHeads(),
  options: InductionEvaluateOptions = {},
): Promise<LengthScore[]> {
  if (isLtiParameters(params)) {
    throw new InvalidArgumentError(
      "evaluateInductionHeads: the chunked path runs the selective model only; evaluate the LTI ablation with evaluateTask(params, task, { path: 'training' })",
      'params',
    );
  }
  const { lengths = INDUCTION_HEADS_EVAL_LENGTHS, onLength, ...rest } = options;
  const out: LengthScore[] = [];
  for (const seqLen of lengths) {
    const t0 = performance.now();
    const score = await evaluateTask(params, task.withSeqLen(seqLen), {
      sequences: 100,
      ...rest,
      path: 'chunked',
    });
    const entry = {
      seqLen,
      accuracy: score.tokenAccuracy,
      sequences: score.sequences,
      ms: performance.now() - t0,
    };
    out.push(entry);
    onLength?.(entry);
  }
  return out;
}
