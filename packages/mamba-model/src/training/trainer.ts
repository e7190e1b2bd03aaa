// The training loop's one step, for Node and the browser: forward and loss on the tape, the fused
// backward, (optional) gradient accumulation over micro-batches, global-norm clipping and a fused
// AdamW update with a learning-rate schedule. f32 master weights; every step is deterministic
// (fixed-order reductions only), so two runs with the same data give bitwise identical weights.

import { IGNORE_INDEX, InvalidArgumentError, Tape, Tensor } from '@mamba-webgpu/tensor';
import { GradAccumulator } from './accumulate/grad-accumulator.js';
import { clipGradNorm, gradNorm } from './grad-norm/grad-norm.js';
import { type LanguageModelLossOptions, languageModelLoss } from './model/loss.js';
import type { MambaParameters } from './model/parameters.js';
import { AdamW } from './optimizer/adamw.js';
import { type LrSchedule, type LrScheduleKind, lrSchedule } from './schedule/lr-schedule.js';

/** Hyper-parameters of a training run (defaults: the mamba training oracle's). */
export interface TrainerOptions extends LanguageModelLossOptions {
  /** Peak learning rate; default 1e-3. */
  lr?: number;
  /** AdamW betas; default (0.9, 0.95). */
  betas?: readonly [number, number];
  /** AdamW eps; default 1e-8. */
  eps?: number;
  /** Decoupled weight decay (not for A_log, D, biases, norms); default 0.1. */
  weightDecay?: number;
  /** Clip the global gradient norm to this (0 or undefined: no clipping); default 1.0. */
  clip?: number;
  /** `constant` (default) or `cosine` (decays to `minLr` at `totalSteps`). */
  schedule?: LrScheduleKind;
  /** Steps of linear warmup; default 0. */
  warmupSteps?: number;
  /** Steps of the run (needed by `cosine`); default 1. */
  totalSteps?: number;
  minLr?: number;
  /** Micro-batches summed (each scaled 1/k) per optimizer step; default 1. */
  gradAccumulation?: number;
}

/** What one optimizer step did. */
export interface StepResult {
  /** 1-based step number. */
  step: number;
  /** Mean loss over the step's micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The learning rate used. */
  lr: number;
  /** Tokens trained on (all micro-batches). */
  tokens: number;
}

/** Token ids of a micro-batch: (batch, seqLen), row-major. */
export interface HostBatch {
  readonly ids: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
  /** (batch, seqLen) targets, IGNORE_INDEX = no loss there; default: the next tokens. */
  readonly targets?: Int32Array | undefined;
}

/** Targets hold one id in [0, vocab) or IGNORE_INDEX per position, at least one id. */
function checkTargets(targets: Int32Array, positions: number, vocab: number): void {
  const fail = (message: string) => {
    throw new InvalidArgumentError(`Trainer.step: ${message}`, 'batches');
  };
  if (targets.length !== positions)
    fail(`targets must hold one entry per id (${positions}), got ${targets.length}`);
  const bad = targets.findIndex((id) => id !== IGNORE_INDEX && (id < 0 || id >= vocab));
  if (bad >= 0) fail(`targets[${bad}] = ${targets[bad]} is neither in [0, ${vocab}) nor IGNORE_INDEX`);
  if (targets.every((id) => id === IGNORE_INDEX))
    fail('targets are all IGNORE_INDEX: no position to take the loss at');
}

/**
 * Trains `params` in place. `step(batches)` takes `gradAccumulation` micro-batches and makes one
 * optimizer step. Owns the optimizer state (and accumulators): `dispose()` frees them, not the
 * parameters.
 */
export class Trainer {
  readonly optimizer: AdamW;
  private readonly schedule: LrSchedule;
  private readonly accumulator: GradAccumulator | undefined;
  private readonly names: string[];

  constructor(
    readonly params: MambaParameters,
    readonly options: TrainerOptions = {},
  ) {
    const fn = 'Trainer';
    const clip = options.clip ?? 1.0;
    if (!(Number.isFinite(clip) && clip >= 0))
      throw new InvalidArgumentError(`${fn}: clip must be a finite number >= 0, got ${clip}`, 'clip');
    const k = options.gradAccumulation ?? 1;
    if (!Number.isInteger(k) || k < 1)
      throw new InvalidArgumentError(
        `${fn}: gradAccumulation must be an integer >= 1, got ${k}`,
        'gradAccumulation',
      );
    this.names = params.names();
    this.schedule = lrSchedule(options.schedule ?? 'constant', {
      lr: options.lr ?? 1e-3,
      warmupSteps: options.warmupSteps ?? 0,
      totalSteps: options.totalSteps ?? Math.max(1, options.warmupSteps ?? 0),
      ...(options.minLr !== undefined ? { minLr: options.minLr } : {}),
    });
    this.optimizer = new AdamW(params.tensors, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.95],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.1,
    });
    this.accumulator = k > 1 ? new GradAccumulator(params.tensors, { microBatches: k }) : undefined;
  }

  /**
   * Optimizer steps taken: the optimizer's count, so a trainer whose optimizer state was loaded
   * (`loadOptimizerState(dir, trainer.optimizer)`) continues the schedule where the run stopped.
   */
  get stepCount(): number {
    return this.optimizer.stepCount;
  }

  /** The forward + backward of one micro-batch: its loss and its gradients (caller owns). */
  private lossAndGrads(batch: HostBatch): { loss: Promise<number>; grads: Map<string, Tensor> } {
    const ctx = this.params.get(this.names[0]!).ctx;
    const ids = Tensor.fromArray(ctx, batch.ids, [batch.batch, batch.seqLen], 'i32', 'trainer/ids');
    const tape = new Tape();
    try {
      const loss = languageModelLoss(
        tape,
        this.params.config,
        this.params,
        { ids, hostIds: batch.ids, batch: batch.batch, seqLen: batch.seqLen, targets: batch.targets },
        this.options,
      );
      const one = Tensor.fromArray(ctx, [1], [1], 'f32', 'trainer/one');
      const lossCopy = loss.reshape([1]);
      tape.backward([[loss, one]]);
      one.dispose();
      const list = tape.grads(this.names.map((n) => this.params.get(n)));
      const grads = new Map<string, Tensor>();
      this.names.forEach((n, i) => {
        const g = list[i];
        if (!g) throw new InvalidArgumentError(`Trainer.step: no gradient reached ${n}`, 'params');
        grads.set(n, g);
      });
      const value = lossCopy.read().then((v) => {
        lossCopy.dispose();
        return v[0]!;
      });
      return { loss: value, grads };
    } finally {
      tape.dispose();
      ids.dispose();
    }
  }

  /** One optimizer step over `gradAccumulation` micro-batches (a single batch when 1). */
  async step(batches: HostBatch | readonly HostBatch[]): Promise<StepResult> {
    const list = Array.isArray(batches) ? (batches as readonly HostBatch[]) : [batches as HostBatch];
    const k = this.accumulator?.microBatches ?? 1;
    if (list.length !== k)
      throw new InvalidArgumentError(
        `Trainer.step: expected ${k} micro-batches (gradAccumulation), got ${list.length}`,
        'batches',
      );
    const vocab = this.params.config.vocabSize;
    for (const b of list) {
      if (b.ids.length !== b.batch * b.seqLen || b.seqLen < 2 || b.batch < 1) {
        throw new InvalidArgumentError(
          `Trainer.step: a batch must be (batch >= 1, seqLen >= 2) ids, got ${b.ids.length} ids for (${b.batch}, ${b.seqLen})`,
          'batches',
        );
      }
      const bad = b.ids.findIndex((id) => id < 0 || id >= vocab);
      if (bad >= 0)
        throw new InvalidArgumentError(
          `Trainer.step: ids[${bad}] = ${b.ids[bad]} is outside the vocabulary [0, ${vocab})`,
          'batches',
        );
      if (b.targets) checkTargets(b.targets, b.ids.length, vocab);
    }
    const losses: Promise<number>[] = [];
    let grads: ReadonlyMap<string, Tensor>;
    let owned: Map<string, Tensor> | undefined;
    if (this.accumulator) {
      this.accumulator.reset();
      for (const b of list) {
        const r = this.lossAndGrads(b);
        losses.push(r.loss);
        this.accumulator.add(r.grads);
        for (const g of r.grads.values()) g.dispose();
      }
      grads = this.accumulator.grads;
    } else {
      const r = this.lossAndGrads(list[0]!);
      losses.push(r.loss);
      grads = owned = r.grads;
    }
    const clip = this.options.clip ?? 1.0;
    const norm = clip > 0 ? clipGradNorm(grads, clip, { inPlace: false }) : gradNorm(grads);
    const lr = this.schedule(this.stepCount);
    this.optimizer.step(grads, clip > 0 ? { lr, gradScale: norm } : { lr });
    const [{ norm: value }, ...lossValues] = (await Promise.all([norm.read(), ...losses])) as [
      { norm: number },
      ...number[],
    ];
    norm.dispose();
    if (owned) for (const g of owned.values()) g.dispose();
    const tokens = list.reduce((n, b) => n + b.batch * b.seqLen, 0);
    return {
      step: this.stepCount,
      loss: lossValues.reduce((a, b) => a + b, 0) / lossValues.length,
      gradNorm: value,
      lr,
      tokens,
    };
  }

  /** Frees the optimizer's moments and the accumulators (not the parameters). */
  dispose(): void {
    this.optimizer.dispose();
    this.accumulator?.dispose();
  }
}
