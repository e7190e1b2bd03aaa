// The Train page's settings: which synthetic task, its sizes, the model's sizes and the
// optimiser's, with each task's small default preset and the validation of what the form holds.
// Sizes are capped so that a run fits a laptop GPU (and the page's memory) comfortably.

import {
  InductionHeads,
  MambaParameters,
  ltiParameters,
  SelectiveCopying,
  type SyntheticTask,
  taskModelConfig,
} from '@mamba-webgpu/mamba-model';
import type { GpuContext } from '@mamba-webgpu/tensor';

export type TaskName = 'selective-copying' | 'induction-heads';
/** `selective`: Mamba's S6 block; `lti`: the paper's non-selective ablation (Δ, B, C learned). */
export type BlockKind = 'selective' | 'lti';

/** Everything that defines a run. `lr` and `steps` may change between Stop and Continue. */
export interface TrainSettings {
  task: TaskName;
  block: BlockKind;
  /** Sequence length. */
  seqLen: number;
  /** Selective Copying only: data tokens to copy per row. */
  dataTokens: number;
  vocabSize: number;
  dModel: number;
  /** SSM state size per channel. */
  dState: number;
  nLayer: number;
  /** Rows per step (fresh rows every step). */
  batch: number;
  lr: number;
  /** Optimizer steps of the run (raise it and press Continue to train on). */
  steps: number;
  /** Seeds the initial weights and the training stream. */
  seed: number;
  /** Score held-out rows (and refresh the Δ view) every this many steps; 0: only at the end. */
  evalEvery: number;
  /** Held-out rows per evaluation. */
  evalSequences: number;
}

/**
 * Small defaults per task. Induction Heads: the tasks module's CI smoke-test size (L 8 over 8
 * tokens, one layer of d_model 16, d_state 4, batch 16, lr 2e-2), which reaches 86% held-out
 * accuracy by step 60 from seed 0 on lavapipe; a few seconds on a GPU. Selective Copying: a
 * starting point (L 64, 8 data tokens, two layers of d_model 32), not tuned yet.
 */
export const TASK_PRESETS: Readonly<Record<TaskName, TrainSettings>> = {
  'selective-copying': {
    task: 'selective-copying',
    block: 'selective',
    seqLen: 64,
    dataTokens: 8,
    vocabSize: 16,
    dModel: 32,
    dState: 16,
    nLayer: 2,
    batch: 16,
    lr: 5e-3,
    steps: 1000,
    seed: 0,
    evalEvery: 25,
    evalSequences: 128,
  },
  'induction-heads': {
    task: 'induction-heads',
    block: 'selective',
    seqLen: 8,
    dataTokens: 8,
    vocabSize: 8,
    dModel: 16,
    dState: 4,
    nLayer: 1,
    batch: 16,
    lr: 2e-2,
    steps: 200,
    seed: 0,
    evalEvery: 10,
    evalSequences: 128,
  },
};

/** Inclusive bounds of each integer setting (small sizes only: this runs in a web page). */
export const SETTING_LIMITS = {
  seqLen: [4, 1024],
  dataTokens: [1, 64],
  vocabSize: [4, 64],
  dModel: [8, 256],
  dState: [1, 64],
  nLayer: [1, 4],
  batch: [1, 128],
  steps: [1, 1_000_000],
  seed: [0, 0xffff_ffff],
  evalEvery: [0, 100_000],
  evalSequences: [1, 1024],
} as const satisfies Partial<Record<keyof TrainSettings, readonly [number, number]>>;

/** Which settings a running model can take without a new run. */
export const CONTINUE_SETTINGS: readonly (keyof TrainSettings)[] = [
  'lr',
  'steps',
  'evalEvery',
  'evalSequences',
];

/**
 * Checks a settings object (from the form) and returns it typed.
 * @throws Error naming the first bad setting and what was expected.
 */
export function checkSettings(raw: Record<string, unknown>): TrainSettings {
  const fail = (message: string): never => {
    throw new Error(`train settings: ${message}`);
  };
  if (raw.task !== 'selective-copying' && raw.task !== 'induction-heads') {
    fail(`task must be selective-copying or induction-heads, got ${String(raw.task)}`);
  }
  if (raw.block !== 'selective' && raw.block !== 'lti')
    fail(`block must be selective or lti, got ${String(raw.block)}`);
  const out = { task: raw.task, block: raw.block } as TrainSettings;
  for (const [key, [min, max]] of Object.entries(SETTING_LIMITS) as [
    keyof typeof SETTING_LIMITS,
    readonly [number, number],
  ][]) {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(`${key} must be an integer in [${min}, ${max}], got ${String(value)}`);
    }
    out[key] = value as number;
  }
  const lr = raw.lr;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0 || lr > 1)
    fail(`lr must be a number in (0, 1], got ${String(lr)}`);
  out.lr = lr as number;
  if (out.task === 'selective-copying') {
    if (out.seqLen < 2 * out.dataTokens) {
      fail(
        `seqLen must be at least 2 * dataTokens = ${2 * out.dataTokens} for Selective Copying, got ${out.seqLen}`,
      );
    }
    if (out.vocabSize < 3) fail('vocabSize must be at least 3 for Selective Copying');
  }
  return out;
}

/** The task a run trains on. */
export function makeTask(s: TrainSettings): SyntheticTask {
  return s.task === 'selective-copying'
    ? new SelectiveCopying({ seqLen: s.seqLen, dataTokens: s.dataTokens, vocabSize: s.vocabSize })
    : new InductionHeads({ seqLen: s.seqLen, vocabSize: s.vocabSize });
}

/** Fresh seeded parameters of the run's model (S6, or the LTI ablation). */
export function makeParameters(ctx: GpuContext, s: TrainSettings): MambaParameters {
  const config = taskModelConfig({
    dModel: s.dModel,
    dState: s.dState,
    nLayer: s.nLayer,
    vocabSize: s.vocabSize,
  });
  return s.block === 'lti' ? ltiParameters(ctx, config, s.seed) : MambaParameters.random(ctx, config, s.seed);
}

/** Accuracy of guessing: uniform over the tokens an answer can be. */
export function chanceAccuracy(s: TrainSettings): number {
  // Selective Copying answers are data tokens (vocab - 2 of them); Induction Heads answers are
  // ordinary tokens (vocab - 1).
  return 1 / (s.task === 'selective-copying' ? s.vocabSize - 2 : s.vocabSize - 1);
}
