// Trains a task model with the Trainer on fresh rows every step (one seeded stream, never
// repeating a row), optionally scoring held-out rows along the way; stops at the step count, a
// wall-time budget, a target accuracy or an abort signal. Browser-safe (the playground's loop).

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { isLtiParameters } from '../training/model/lti.js';
import type { MambaParameters } from '../training/model/parameters.js';
import { type StepResult, Trainer, type TrainerOptions } from '../training/trainer.js';
import { type TaskScore, VALIDATION_SEED, evaluateTask } from './evaluate.js';
import { type SyntheticTask, TaskSampler, checkIntegerIn } from './task.js';

/** Options of `trainTask` (plus the Trainer's: lr, betas, weightDecay, clip, schedule...). */
export interface TaskTrainingOptions
  extends Omit<TrainerOptions, 'selective' | 'totalSteps' | 'gradAccumulation'> {
  /** Optimizer steps (at most). */
  steps: number;
  /** Rows per step. */
  batch: number;
  /** Seed of the training stream; default 0. */
  seed?: number;
  /** Score held-out rows every this many steps (and after the last); 0 (default): never. */
  evalEvery?: number;
  /** Held-out rows per evaluation during training (VALIDATION_SEED's stream); default 256. */
  evalSequences?: number;
  /** Stop once this much wall time has passed (ms). */
  timeBudgetMs?: number;
  /** Stop once evaluations' token accuracy reaches this (`stopPatience` times in a row). */
  stopAtAccuracy?: number;
  /** Consecutive evaluations at `stopAtAccuracy` or above before stopping; default 1. */
  stopPatience?: number;
  /** Called after every step (awaited: return a promise to yield to a UI). */
  onStep?: (record: TaskStepRecord) => void | Promise<void>;
  signal?: AbortSignal;
}

/** One step of a task run. */
export interface TaskStepRecord extends StepResult {
  /** Wall time since the run started. */
  elapsedMs: number;
  /** Held-out score, on evaluation steps. */
  score?: TaskScore;
}

/** What a task run did. */
export interface TaskTrainingResult {
  curve: TaskStepRecord[];
  steps: number;
  wallMs: number;
  /** The last evaluation's score, if any. */
  finalScore: TaskScore | undefined;
  stoppedBy: 'steps' | 'time' | 'accuracy' | 'abort';
}

/**
 * Trains `params` (S6 from `MambaParameters.random`, or LTI from `ltiParameters`) on `task` in
 * place; the loss is taken at the answer positions only.
 */
export async function trainTask(
  params: MambaParameters,
  task: SyntheticTask,
  options: TaskTrainingOptions,
): Promise<TaskTrainingResult> {
  const fn = 'trainTask';
  const {
    steps,
    batch,
    seed = 0,
    evalEvery = 0,
    evalSequences = 256,
    timeBudgetMs,
    stopAtAccuracy,
    stopPatience = 1,
    onStep,
    signal,
    ...trainer
  } = options;
  checkIntegerIn(fn, 'steps', steps, 1);
  checkIntegerIn(fn, 'batch', batch, 1);
  checkIntegerIn(fn, 'evalEvery', evalEvery, 0);
  checkIntegerIn(fn, 'stopPatience', stopPatience, 1);
  if (params.config.vocabSize < task.vocabSize) {
    throw new InvalidArgumentError(
      `${fn}: the model's vocabulary (${params.config.vocabSize}) must cover the task's (${task.vocabSize})`,
      'params',
    );
  }
  const run = new Trainer(params, { ...trainer, totalSteps: steps, selective: !isLtiParameters(params) });
  const sampler = new TaskSampler(task, seed);
  const curve: TaskStepRecord[] = [];
  const t0 = performance.now();
  let stoppedBy: TaskTrainingResult['stoppedBy'] = 'steps';
  let finalScore: TaskScore | undefined;
  let streak = 0;
  try {
    for (let s = 1; s <= steps; s++) {
      if (signal?.aborted) {
        stoppedBy = 'abort';
        break;
      }
      const rows = sampler.next(batch);
      const result = await run.step({ ids: rows.ids, targets: rows.targets, batch, seqLen: task.seqLen });
      const elapsed = performance.now() - t0;
      const outOfTime = timeBudgetMs !== undefined && elapsed >= timeBudgetMs;
      const record: TaskStepRecord = { ...result, elapsedMs: elapsed };
      if (evalEvery > 0 && (s % evalEvery === 0 || s === steps || outOfTime)) {
        record.score = finalScore = await evaluateTask(params, task, {
          sequences: evalSequences,
          seed: VALIDATION_SEED,
        });
      }
      curve.push(record);
      await onStep?.(record);
      if (record.score)
        streak =
          stopAtAccuracy !== undefined && record.score.tokenAccuracy >= stopAtAccuracy ? streak + 1 : 0;
      if (streak >= stopPatience) {
        stoppedBy = 'accuracy';
        break;
      }
      if (outOfTime && s < steps) {
        stoppedBy = 'time';
        break;
      }
    }
  } finally {
    run.dispose();
  }
  return { curve, steps: curve.length, wallMs: performance.now() - t0, finalScore, stoppedBy };
}
