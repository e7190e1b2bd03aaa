// One training run on the page's GPU, kept apart from the DOM so that it outlives any rendering of
// the Train page: the parameters, the Trainer (AdamW moments), the seeded stream of fresh rows,
// the loss curve, the held-out scores and the Δ view's sample. The loop makes one optimizer step
// per animation frame (after the frame is painted), so the page keeps drawing while it trains.

import {
  evaluateTask,
  type MambaParameters,
  type SyntheticTask,
  type TaskScore,
  TaskSampler,
  TaskStream,
  Trainer,
  VALIDATION_SEED,
} from '@mamba-webgpu/mamba-model';
import type { GpuContext } from '@mamba-webgpu/tensor';
import { FrameMeter } from './frame-meter.js';
import { selectionDelta } from './selection-delta.js';
import { CONTINUE_SETTINGS, makeParameters, makeTask, type TrainSettings } from './settings.js';

/** One optimizer step of the curve. */
export interface StepPoint {
  step: number;
  loss: number;
  gradNorm: number;
  /** Wall time of the step (recording, GPU, read-back of the loss). */
  stepMs: number;
  /** Main-thread time of the step: recording its GPU work, up to its first wait. */
  recordMs: number;
}

/** One held-out evaluation. */
export interface EvalPoint extends TaskScore {
  step: number;
}

/** The Δ view's sequence: a held-out row, the model's Δ per token per layer and its answers. */
export interface DeltaSample {
  step: number;
  /** Row index in the validation stream. */
  row: number;
  ids: Int32Array;
  answers: Int32Array;
  /** The model's argmax at the answer positions. */
  predicted: Int32Array;
  meanDelta: Float32Array[];
}

export type RunStatus = 'idle' | 'running' | 'stopping' | 'stopped' | 'done' | 'error';

/** Trainer hyper-parameters besides lr (the paper's for the synthetic tasks: Adam, no decay). */
const OPTIMIZER = { betas: [0.9, 0.999] as const, weightDecay: 0, clip: 1 };

/**
 * Resolves after the next frame has been painted (a macrotask after requestAnimationFrame), or
 * after `fallbackMs` when no frame comes (a hidden tab gets none: training goes on there).
 */
export function afterNextPaint(fallbackMs = 250): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(finish, document.hidden ? 0 : fallbackMs);
    requestAnimationFrame(() => setTimeout(finish, 0));
  });
}

/** A training run and its history. Listeners hear of every change (one step, a status change). */
export class TrainSession {
  status: RunStatus = 'idle';
  /** The settings the current run was started (or last continued) with. */
  settings: TrainSettings | undefined;
  /** What the form holds (kept here so that a re-render restores it). */
  draft: Record<string, string> = {};
  readonly curve: StepPoint[] = [];
  readonly evals: EvalPoint[] = [];
  sample: DeltaSample | undefined;
  /** Which layer the Δ view shows. */
  layer = 0;
  /** The Δ view's row of the validation stream. */
  sampleRow = 0;
  error: unknown;
  /** Wall time spent in the loop, over every Train and Continue of this model. */
  trainingMs = 0;
  /** Frame gaps while the loop runs (since the last Train or Continue). */
  readonly frames = new FrameMeter();

  private params: MambaParameters | undefined;
  private trainer: Trainer | undefined;
  private sampler: TaskSampler | undefined;
  private task: SyntheticTask | undefined;
  private loop: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  /** Δ refreshes made between runs: a new run waits for them before freeing the model. */
  private idleWork: Promise<void> = Promise.resolve();

  constructor(private readonly context: Promise<GpuContext>) {}

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  get stepCount(): number {
    return this.curve.at(-1)?.step ?? 0;
  }

  get running(): boolean {
    return this.status === 'running' || this.status === 'stopping';
  }

  /** Whether `next` differs from the run's settings in something only a new run can change. */
  needsNewRun(next: TrainSettings): boolean {
    const current = this.settings;
    if (!current || !this.params) return true;
    return (Object.keys(next) as (keyof TrainSettings)[]).some(
      (k) => !CONTINUE_SETTINGS.includes(k) && next[k] !== current[k],
    );
  }

  /** Starts a new run from fresh seeded weights (the old run's model is freed). */
  async train(settings: TrainSettings): Promise<void> {
    if (this.running) return;
    this.setRunning();
    try {
      await this.idleWork.catch(() => {}); // its error was shown where it was asked for
      const ctx = await this.context;
      this.disposeModel();
      this.curve.length = 0;
      this.evals.length = 0;
      this.sample = undefined;
      this.error = undefined;
      this.trainingMs = 0;
      this.layer = Math.min(this.layer, settings.nLayer - 1);
      this.task = makeTask(settings);
      this.params = makeParameters(ctx, settings);
      this.trainer = this.makeTrainer(settings);
      this.sampler = new TaskSampler(this.task, settings.seed);
      this.settings = settings;
    } catch (error) {
      this.fail(error);
      return;
    }
    await this.run();
  }

  /** Continues the current run up to `settings.steps` (lr and the evaluation settings may change). */
  async continue(settings: TrainSettings): Promise<void> {
    if (this.running) return;
    if (this.needsNewRun(settings)) {
      await this.train(settings);
      return;
    }
    this.setRunning();
    try {
      await this.idleWork.catch(() => {});
      if (settings.lr !== this.settings!.lr) {
        // The Trainer's lr schedule is fixed at construction: a new Trainer, same Adam moments
        // and step count (bias corrections), so a new lr does not restart the optimizer.
        const next = this.makeTrainer(settings);
        next.optimizer.loadState(await this.trainer!.optimizer.exportState());
        this.trainer!.dispose();
        this.trainer = next;
      }
      this.settings = settings;
    } catch (error) {
      this.fail(error);
      return;
    }
    await this.run();
  }

  /** Optimizer steps the Adam state has taken (it follows the run through lr changes). */
  get optimizerSteps(): number {
    return this.trainer?.optimizer.stepCount ?? 0;
  }

  /** Asks the loop to stop after the step in flight. */
  stop(): void {
    if (this.status !== 'running') return;
    this.status = 'stopping';
    this.emit();
  }

  /** Shows another held-out row in the Δ view (recomputed now when not training). */
  async nextSample(): Promise<void> {
    this.sampleRow++;
    if (this.running) return; // the next evaluation shows it
    this.idleWork = this.idleWork.catch(() => {}).then(() => this.refreshSample());
    await this.idleWork;
  }

  /** Chooses the Δ view's layer. */
  setLayer(layer: number): void {
    this.layer = layer;
    this.emit();
  }

  private makeTrainer(settings: TrainSettings): Trainer {
    return new Trainer(this.params!, {
      ...OPTIMIZER,
      lr: settings.lr,
      selective: settings.block === 'selective',
    });
  }

  /** Marks the session busy at once, so a second click cannot start a second loop. */
  private setRunning(): void {
    this.status = 'running';
    this.emit();
  }

  private fail(error: unknown): void {
    this.error = error;
    this.status = 'error';
    this.emit();
  }

  private async run(): Promise<void> {
    this.loop = this.steps();
    await this.loop;
  }

  private async steps(): Promise<void> {
    const s = this.settings!;
    const task = this.task!;
    const loopStart = performance.now();
    const before = this.trainingMs;
    this.frames.start();
    try {
      while (this.stepCount < s.steps && this.status === 'running') {
        await afterNextPaint();
        if (this.status !== 'running') break;
        const rows = this.sampler!.next(s.batch);
        const t0 = performance.now();
        const pending = this.trainer!.step({
          ids: rows.ids,
          targets: rows.targets,
          batch: s.batch,
          seqLen: task.seqLen,
        });
        const recordMs = performance.now() - t0;
        const result = await pending;
        const step = this.stepCount + 1;
        this.curve.push({
          step,
          loss: result.loss,
          gradNorm: result.gradNorm,
          stepMs: performance.now() - t0,
          recordMs,
        });
        if (!Number.isFinite(result.loss))
          throw new Error(`train: the loss is ${result.loss} at step ${step}; lower the lr`);
        const last = step === s.steps;
        if (last || (s.evalEvery > 0 && step % s.evalEvery === 0)) await this.evaluate();
        this.trainingMs = before + performance.now() - loopStart;
        this.emit();
      }
      // Stopped early: score where the model is now, so the charts end on the stopped step.
      if (this.stepCount > 0 && this.evals.at(-1)?.step !== this.stepCount) await this.evaluate();
      this.status = this.stepCount >= s.steps ? 'done' : 'stopped';
    } catch (error) {
      this.error = error;
      this.status = 'error';
    } finally {
      this.frames.stop();
      this.trainingMs = before + performance.now() - loopStart;
      this.emit();
    }
  }

  /** Held-out accuracy (VALIDATION_SEED's rows), then the Δ view's sample. */
  private async evaluate(): Promise<void> {
    const s = this.settings!;
    const score = await evaluateTask(this.params!, this.task!, {
      sequences: s.evalSequences,
      seed: VALIDATION_SEED,
    });
    this.evals.push({ step: this.stepCount, ...score });
    await this.refreshSample();
  }

  /** Recomputes Δ and the answers for the current sample row. */
  async refreshSample(): Promise<void> {
    const task = this.task;
    const params = this.params;
    if (!task || !params) return;
    const stream = new TaskStream(task, VALIDATION_SEED, this.sampleRow, 1);
    const ids = stream.next(task.seqLen);
    const { meanDelta, predicted } = await selectionDelta(params, ids);
    this.sample = {
      step: this.stepCount,
      row: this.sampleRow,
      ids,
      answers: stream.answers,
      predicted: predicted.slice(task.seqLen - task.answerCount),
      meanDelta,
    };
    this.emit();
  }

  private disposeModel(): void {
    this.trainer?.dispose();
    this.params?.dispose();
    this.trainer = undefined;
    this.params = undefined;
  }

  /** Frees the model and the optimizer (after the loop in flight, if any, stops). */
  async dispose(): Promise<void> {
    this.stop();
    await this.loop;
    await this.idleWork.catch(() => {});
    this.disposeModel();
  }
}
