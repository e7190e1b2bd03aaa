// The three runs of the paper's selection results, at two sizes: `full` (the paper's tasks and
// model, an 8-minute budget per run on a big GPU) and `small` (CPU adapters: short sequences, a
// few steps, for the bench's sizing). One table shared by `pnpm bench --suite tasks` and the
// results script, plus the paper's figures to print beside ours.

import type { GpuContext } from '@mamba-webgpu/tensor';
import { ltiParameters } from '../training/model/lti.js';
import { MambaParameters } from '../training/model/parameters.js';
import { type TaskModelOptions, taskModelConfig } from './config.js';
import {
  EVALUATION_SEED,
  INDUCTION_HEADS_EVAL_LENGTHS,
  type LengthScore,
  type TaskScore,
  evaluateInductionHeads,
  evaluateTask,
} from './evaluate.js';
import { InductionHeads } from './induction-heads.js';
import { SelectiveCopying } from './selective-copying.js';
import type { SyntheticTask } from './task.js';
import { type TaskStepRecord, type TaskTrainingOptions, trainTask } from './train.js';

/** `full`: the paper's sizes on a GPU; `small`: a short version for CPU adapters. */
export type TaskSizing = 'small' | 'full';

export type TaskExperimentId = 'selective-copying-s6' | 'selective-copying-lti' | 'induction-heads-s6';

/** One training run and its evaluation. */
export interface TaskExperiment {
  readonly id: TaskExperimentId;
  readonly title: string;
  readonly task: SyntheticTask;
  readonly model: TaskModelOptions;
  /** false: the LTI ablation. */
  readonly selective: boolean;
  /** Parameter initialisation seed (the training stream uses `training.seed`). */
  readonly seed: number;
  readonly training: TaskTrainingOptions;
  /** Held-out rows of the final evaluation (per length for Induction Heads). */
  readonly evalSequences: number;
  /** Induction Heads: the evaluation lengths. */
  readonly evalLengths?: readonly number[];
}

/** The paper's figures (Mamba paper, Tables 1 and 2). */
export const PAPER_RESULTS = {
  selectiveCopying: {
    /** Mamba architecture, S6 layer. */
    s6: 0.998,
    /** S4 architecture (no gate), S4 layer. */
    s4: 0.183,
    /** Mamba architecture, S4 layer: the comparison closest to our LTI ablation. */
    mambaWithS4: 0.564,
    training: '400k steps, batch 64, constant lr 1e-4, L 4096',
  },
  inductionHeads: {
    /** Mamba's accuracy at every length 2^6 .. 2^20 (trained at 2^8). */
    mamba: 1.0,
    trainedAt: 256,
    note: 'attention variants fail beyond 2^9',
  },
} as const;

// lr 5e-3: the H200 runs of commit 18b1d83 (docs/results.md); at 2e-3 S6 learned too slowly for
// an 8-minute budget.
const SELECTIVE_COPYING_TRAINING = {
  lr: 5e-3,
  betas: [0.9, 0.98],
  weightDecay: 0,
  clip: 1.0,
  warmupSteps: 100,
} as const;

/** The runs at `sizing`: S6 and LTI on Selective Copying, S6 on Induction Heads. */
export function taskExperiments(sizing: TaskSizing): TaskExperiment[] {
  const full = sizing === 'full';
  const copying = new SelectiveCopying(full ? {} : { seqLen: 64 });
  // Small: the CI smoke test's sizes (one layer of d_model 16, d_state 4; Induction Heads at L 8
  // over 8 tokens learns in ~80 steps on lavapipe).
  const small: TaskModelOptions = { dModel: 16, dState: 4 };
  const model: TaskModelOptions = full ? {} : small;
  const copyingTraining: TaskTrainingOptions = full
    ? {
        ...SELECTIVE_COPYING_TRAINING,
        steps: 100_000,
        batch: 32,
        evalEvery: 500,
        evalSequences: 256,
        stopAtAccuracy: 0.995,
        stopPatience: 2,
        timeBudgetMs: 7.5 * 60_000,
      }
    : { ...SELECTIVE_COPYING_TRAINING, lr: 1e-2, steps: 20, batch: 8, evalEvery: 10, evalSequences: 32 };
  const selectiveCopying = (selective: boolean): TaskExperiment => ({
    id: selective ? 'selective-copying-s6' : 'selective-copying-lti',
    title: `Selective Copying, ${selective ? 'S6 (Mamba)' : 'LTI ablation (S4-like)'}`,
    task: copying,
    model,
    selective,
    seed: 0,
    training: copyingTraining,
    evalSequences: full ? 1000 : 64,
  });
  const induction: TaskExperiment = {
    id: 'induction-heads-s6',
    title: 'Induction Heads, S6 (Mamba)',
    task: new InductionHeads(full ? {} : { seqLen: 8, vocabSize: 8 }),
    model: full ? model : { ...small, nLayer: 1 },
    selective: true,
    seed: 0,
    training: full
      ? {
          // The batch is 8; at 8 the H200 run (45 ms a step, dispatch-bound) reached
          // 53% in its 6-minute budget with a noisy loss. 32 rows cost the same step time and
          // give each step four times the data.
          steps: 100_000,
          batch: 32,
          // The lr is 1e-3. All three of 1e-3, 3e-3 and 6e-3 reach 100% at L 256, but
          // the length generalisation differs by far (H200, commit 18b1d83, 6-minute budgets):
          // 1e-3 is perfect to 2^10 and at 9% by 2^18; 3e-3 to 2^14 (84% at 2^18); 6e-3 to 2^14
          // (75% at 2^18, 47% at 2^20 after 4 minutes). docs/benchmarks/issue-12/18b1d83 has
          // the logs.
          lr: 6e-3,
          betas: [0.9, 0.999],
          weightDecay: 0,
          clip: 1.0,
          evalEvery: 250,
          evalSequences: 512,
          // No accuracy stop: validation at L 256 reaches 100% in the first minute while the
          // length generalisation is still poor; training on through the budget is what
          // sharpens the selection (the paper trains far longer). 4 minutes: with the
          // evaluation up to 2^20 (~2 minutes) a run stays within the 8.
          timeBudgetMs: 4 * 60_000,
        }
      : {
          steps: 40,
          batch: 16,
          lr: 2e-2,
          betas: [0.9, 0.999],
          weightDecay: 0,
          clip: 1.0,
          evalEvery: 10,
          evalSequences: 64,
        },
    evalSequences: full ? 100 : 32,
    evalLengths: full ? INDUCTION_HEADS_EVAL_LENGTHS : [8, 64, 512],
  };
  return [selectiveCopying(true), selectiveCopying(false), induction];
}

/** What one run did: its training curve, its held-out scores, its times. */
export interface TaskExperimentResult {
  id: TaskExperimentId;
  title: string;
  selective: boolean;
  seqLen: number;
  vocabSize: number;
  batch: number;
  lr: number;
  /** The optimizer settings, for the record: `betas (0.9, 0.98), weight decay 0, ...`. */
  hyperparameters: string;
  steps: number;
  stoppedBy: string;
  /** Training wall time (ms). */
  trainMs: number;
  /** Final evaluation wall time (ms). */
  evalMs: number;
  /** Every step's loss, and the validation score where one was taken. */
  curve: { step: number; loss: number; elapsedMs: number; accuracy?: number }[];
  /** Selective Copying: the held-out score at the training length. */
  score?: TaskScore;
  /** Induction Heads: accuracy per evaluation length. */
  lengths?: LengthScore[];
}

/** The optimizer settings of a run in words (the Trainer's defaults where unset). */
function describeTraining(t: TaskTrainingOptions): string {
  const [b1, b2] = t.betas ?? [0.9, 0.95];
  return [
    `AdamW lr ${t.lr ?? 1e-3} (${t.schedule ?? 'constant'}, ${t.warmupSteps ?? 0} warmup steps)`,
    `betas (${b1}, ${b2})`,
    `weight decay ${t.weightDecay ?? 0.1}`,
    `clip ${t.clip ?? 1}`,
    `batch ${t.batch}`,
  ].join(', ');
}

/** Progress callbacks of `runTaskExperiment`. */
export interface TaskExperimentHooks {
  onStep?: (record: TaskStepRecord) => void | Promise<void>;
  onLength?: (score: LengthScore) => void;
  /** Overrides the run's training wall-time budget (ms). */
  timeBudgetMs?: number;
  signal?: AbortSignal;
}

/** Initialises, trains and evaluates one run on `ctx`; frees its parameters afterwards. */
export async function runTaskExperiment(
  ctx: GpuContext,
  exp: TaskExperiment,
  hooks: TaskExperimentHooks = {},
): Promise<TaskExperimentResult> {
  const config = taskModelConfig({ ...exp.model, vocabSize: exp.task.vocabSize });
  const params = exp.selective
    ? MambaParameters.random(ctx, config, exp.seed)
    : ltiParameters(ctx, config, exp.seed);
  try {
    const budget = hooks.timeBudgetMs ?? exp.training.timeBudgetMs;
    const run = await trainTask(params, exp.task, {
      ...exp.training,
      ...(budget !== undefined ? { timeBudgetMs: budget } : {}),
      ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    const t0 = performance.now();
    const evaluation = { sequences: exp.evalSequences, seed: EVALUATION_SEED };
    const lengths = exp.evalLengths
      ? await evaluateInductionHeads(params, exp.task as InductionHeads, {
          ...evaluation,
          lengths: exp.evalLengths,
          ...(hooks.onLength ? { onLength: hooks.onLength } : {}),
        })
      : undefined;
    const score = exp.evalLengths ? undefined : await evaluateTask(params, exp.task, evaluation);
    return {
      id: exp.id,
      title: exp.title,
      selective: exp.selective,
      seqLen: exp.task.seqLen,
      vocabSize: exp.task.vocabSize,
      batch: exp.training.batch,
      lr: exp.training.lr ?? 1e-3,
      hyperparameters: describeTraining(exp.training),
      steps: run.steps,
      stoppedBy: run.stoppedBy,
      trainMs: run.wallMs,
      evalMs: performance.now() - t0,
      curve: run.curve.map((r) => ({
        step: r.step,
        loss: r.loss,
        elapsedMs: r.elapsedMs,
        ...(r.score ? { accuracy: r.score.tokenAccuracy } : {}),
      })),
      ...(score ? { score } : {}),
      ...(lengths ? { lengths } : {}),
    };
  } finally {
    params.dispose();
  }
}
