// ContinuousBatcher: a fixed number of state slots decoding together. A new row is prefilled
// alone (a batch-1 graph) and copied into a free slot of the running batch graph between decode
// steps; a row that stops, reaches its length or is cancelled leaves and frees its slot. Each row
// keeps its own settings, seed, draw row and step counter on the GPU, and the batch graph always
// has `slots` rows, so a row's tokens do not depend on which other rows share the batch.
// Tokens come back through the sampler's ring, read once per chunk of steps while the GPU already
// runs the next chunk.

import type { GpuContext } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../loading/config.js';
import { GenerationGraph } from '../model/session.js';
import type { MambaWeights } from '../model/weights.js';
import type { ResolvedSampling } from '../sampling/options.js';
import { type NonFiniteLogits, nonFiniteLogitsError } from '../sampling/errors.js';
import { TOKEN_RING } from '../sampling/sampler.js';
import { EngineClosedError, QueueFullError } from './errors.js';
import { type LatencySnapshot, LatencyTracker } from './latency.js';

export type RowEnd = 'stop' | 'length' | 'cancelled';

/** One row of generation: a prompt, its settings and where its tokens go. */
export interface RowJob {
  readonly promptIds: readonly number[];
  readonly sampling: ResolvedSampling;
  /** The row number the draws hash (the choice index): same value, same draws, in any slot. */
  readonly rngRow: number;
  readonly maxTokens: number;
  /** Ids that end the row ('stop'); they are counted but not passed to onToken. */
  readonly stopIds: ReadonlySet<number>;
  readonly signal?: AbortSignal | undefined;
  /** A new id; return true to end the row here ('stop', e.g. a stop string matched). */
  onToken(id: number): boolean;
  /** The row ended; `generated` counts every sampled id, a stop id included. */
  onEnd(reason: RowEnd, generated: number): void;
  onError(error: unknown): void;
}

export interface BatcherOptions {
  /** Rows decoded together (state slots). */
  slots: number;
  /** Rows that may wait for a slot; more are refused with QueueFullError. */
  queue: number;
  /** Largest chunk of steps between reads (default 16; chunks grow 1, 2, 4 ... after a row joins). */
  maxChunk?: number;
  /**
   * Rows prefilled between two decode chunks (default 4): a burst of requests joins a few at a
   * time, so the GPU decodes the rows already in while the CPU records the next prefills (each
   * prefill records a whole forward pass: hundreds of dispatches).
   */
  admitPerStep?: number;
}

interface ActiveRow {
  readonly job: RowJob;
  /** performance.now() at submit (for the time to first token). */
  readonly submittedAt: number;
  readonly slot: number;
  /** Steps recorded for this row (its step 0 by the prefill), capped at job.maxTokens. */
  recorded: number;
  /** Steps whose read has been issued. */
  issued: number;
  /** Steps passed to the job. */
  delivered: number;
  ended: boolean;
}

interface PendingRead {
  ring: Promise<Int32Array>;
  /** Slots whose logits were not finite (first step, per-row numbering), read with the ring. */
  status: Promise<NonFiniteLogits[]>;
  rows: { row: ActiveRow; upTo: number }[];
}

export interface BatcherStats {
  slots: number;
  activeRows: number;
  queuedRows: number;
  /** Decode steps run since creation (each one for every slot). */
  decodeSteps: number;
  /** Ids passed to rows since creation. */
  generatedTokens: number;
  /** Time to first token and the recent generation rate. */
  latency: LatencySnapshot;
}

export class ContinuousBatcher {
  private readonly graph: GenerationGraph;
  private readonly single: GenerationGraph;
  private readonly rows: (ActiveRow | undefined)[];
  private readonly waiting: { job: RowJob; at: number }[] = [];
  private readonly latency = new LatencyTracker();
  private readonly maxChunk: number;
  private readonly admitPerStep: number;
  private looping = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private decodeSteps = 0;
  private generatedTokens = 0;

  constructor(
    private readonly ctx: GpuContext,
    config: MambaConfig,
    weights: MambaWeights,
    private readonly options: BatcherOptions,
  ) {
    this.maxChunk = Math.max(1, Math.min(64, options.maxChunk ?? 16));
    this.admitPerStep = Math.max(1, options.admitPerStep ?? 4);
    this.graph = new GenerationGraph(ctx, config, weights, options.slots);
    this.single = new GenerationGraph(ctx, config, weights, 1);
    this.rows = new Array<ActiveRow | undefined>(options.slots).fill(undefined);
  }

  stats(): BatcherStats {
    return {
      slots: this.options.slots,
      activeRows: this.rows.filter((r) => r && !r.ended).length,
      queuedRows: this.waiting.length,
      decodeSteps: this.decodeSteps,
      generatedTokens: this.generatedTokens,
      latency: this.latency.snapshot(),
    };
  }

  /** Queues rows, all or none: throws QueueFullError when they do not fit in the free slots and queue. */
  submit(jobs: readonly RowJob[]): void {
    if (this.closed) throw new EngineClosedError('ContinuousBatcher.submit: the engine is closed');
    const free = this.rows.filter((r) => r === undefined).length;
    if (this.waiting.length + jobs.length > this.options.queue + free) {
      throw new QueueFullError(
        `ContinuousBatcher.submit: ${jobs.length} row(s) do not fit: ${free} free slot(s), ${this.waiting.length} of ${this.options.queue} queue places taken`,
      );
    }
    const at = performance.now();
    this.waiting.push(...jobs.map((job) => ({ job, at })));
    if (!this.looping) {
      this.looping = true;
      void this.loop();
    }
  }

  /**
   * Stops taking rows. With `cancel`, queued and running rows end as 'cancelled'; otherwise they
   * finish first. Resolves once the loop is idle; then frees the GPU state.
   */
  async close(options: { cancel?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (options.cancel) {
      for (const { job } of this.waiting.splice(0)) job.onEnd('cancelled', 0);
      for (const row of this.rows) if (row && !row.ended) this.end(row, 'cancelled');
    }
    if (this.looping) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.graph.dispose();
    this.single.dispose();
  }

  private async loop(): Promise<void> {
    const reads: PendingRead[] = [];
    let chunk = 1;
    try {
      for (;;) {
        this.dropCancelled();
        if (this.admit()) chunk = 1;
        const live = this.rows.filter((r): r is ActiveRow => r !== undefined && !r.ended);
        const behind = Math.max(0, ...live.map((r) => r.job.maxTokens - r.recorded));
        if (behind > 0) {
          const steps = Math.min(chunk, behind);
          for (let s = 0; s < steps; s++) this.graph.step();
          this.decodeSteps += steps;
          for (const r of live) r.recorded = Math.min(r.job.maxTokens, r.recorded + steps);
          chunk = Math.min(this.maxChunk, chunk * 2);
        }
        const fresh = live.filter((r) => r.recorded > r.issued);
        if (fresh.length > 0) {
          this.ctx.flush();
          reads.push({
            ring: this.graph.sampler.readRing(),
            status: this.graph.sampler.readStatus(),
            rows: fresh.map((row) => ({ row, upTo: row.recorded })),
          });
          for (const row of fresh) row.issued = row.recorded;
        }
        if (reads.length === 0) {
          if (live.length === 0 && this.waiting.length === 0) break;
          continue;
        }
        // Keep one chunk in flight while this one is handed out.
        if (reads.length >= 2 || behind === 0) {
          const read = reads.shift()!;
          this.deliver(read, await read.ring, await read.status);
        }
      }
    } catch (error) {
      for (const row of this.rows) if (row && !row.ended) this.fail(row, error);
      for (const { job } of this.waiting.splice(0)) job.onError(error);
    }
    // Synchronously with the idle check: a submit after this starts a new loop.
    this.looping = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Prefills up to admitPerStep waiting rows into free slots; returns whether any joined. */
  private admit(): boolean {
    let joined = 0;
    for (
      let slot = 0;
      slot < this.rows.length && this.waiting.length > 0 && joined < this.admitPerStep;
      slot++
    ) {
      if (this.rows[slot] !== undefined) continue;
      const { job, at } = this.waiting.shift()!;
      const { single } = this;
      single.sampler.reset(job.sampling, [job.promptIds], job.rngRow);
      single.prefill(Int32Array.from(job.promptIds), job.promptIds.length); // samples step 0
      this.graph.adoptRow(slot, single);
      this.rows[slot] = { job, submittedAt: at, slot, recorded: 1, issued: 0, delivered: 0, ended: false };
      joined++;
    }
    return joined > 0;
  }

  private dropCancelled(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const { job } = this.waiting[i]!;
      if (job.signal?.aborted) {
        this.waiting.splice(i, 1);
        job.onEnd('cancelled', 0);
      }
    }
    for (const row of this.rows) if (row && !row.ended && row.job.signal?.aborted) this.end(row, 'cancelled');
  }

  /** Hands each row the ids of its steps [delivered, upTo) from the ring. */
  private deliver(read: PendingRead, ring: Int32Array, nonFinite: readonly NonFiniteLogits[]): void {
    const batch = this.options.slots;
    const before = this.generatedTokens;
    const now = performance.now();
    for (const { row, upTo } of read.rows) {
      if (!row.ended && row.delivered === 0 && upTo > 0)
        this.latency.firstToken((now - row.submittedAt) / 1000);
      const bad = nonFinite.find((b) => b.row === row.slot);
      while (!row.ended && row.delivered < upTo) {
        if (bad !== undefined && bad.step === row.delivered) {
          this.fail(row, nonFiniteLogitsError('ContinuousBatcher', { ...bad }));
          break;
        }
        const id = ring[(row.delivered % TOKEN_RING) * batch + row.slot]!;
        row.delivered++;
        this.generatedTokens++;
        if (row.job.stopIds.has(id)) {
          this.end(row, 'stop');
          break;
        }
        let stop: boolean;
        try {
          stop = row.job.onToken(id);
        } catch (error) {
          this.fail(row, error);
          break;
        }
        if (stop) this.end(row, 'stop');
        else if (row.delivered >= row.job.maxTokens) this.end(row, 'length');
      }
    }
    this.latency.delivered(this.generatedTokens - before);
  }

  private release(row: ActiveRow): void {
    row.ended = true;
    if (this.rows[row.slot] === row) this.rows[row.slot] = undefined;
  }

  private end(row: ActiveRow, reason: RowEnd): void {
    this.release(row);
    try {
      row.job.onEnd(reason, row.delivered);
    } catch (error) {
      row.job.onError(error);
    }
  }

  private fail(row: ActiveRow, error: unknown): void {
    this.release(row);
    row.job.onError(error);
  }
}
