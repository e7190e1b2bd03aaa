// GpuSampler: per-session sampling state on the GPU (seen-token bitmap, next ids, a ring of
// generated tokens, per-row step counters, per-row settings) and the dispatch that picks each
// step's ids. The dispatch reads everything that varies from buffers, so it can be captured once and
// replayed for every step and every setting. Only the chosen ids ever come back.

import { type GpuContext, InvalidArgumentError, Tensor, zeros } from '@mamba-webgpu/tensor';
import { defineParams } from '@mamba-webgpu/tensor/internal';
import { describeNonFinite, type NonFiniteLogits } from './errors.js';
import type { ResolvedSampling } from './options.js';
import { RNG_WGSL } from './rng.js';
import source from './sample.wgsl';

const Params = defineParams('Params', {
  vocab: 'u32',
  row_stride: 'u32',
  words: 'u32',
  batch: 'u32',
  ring: 'u32',
});
const Config = defineParams('Config', {
  temperature: 'f32',
  top_k: 'u32',
  top_p: 'f32',
  min_p: 'f32',
  penalty: 'f32',
  seed: 'u32',
  /** The row number the draws hash (not the row's position, which may change between sessions). */
  rng_row: 'u32',
  pad: 'u32',
});
/** Bytes of one row's settings: the struct's size and its array stride (8 scalars, 4-aligned). */
const CONFIG_BYTES = Config.byteSize;
const code = Params.wgsl + Config.wgsl + RNG_WGSL + source;

const NO_STEP = 0xffffffff;

/** Steps kept in the token ring; reads must stay within this window of the newest step. */
export const TOKEN_RING = 256;

export class GpuSampler {
  /** (batch, ceil(vocab/32)) u32: bit i set when token i was seen. */
  readonly presence: Tensor<'u32'>;
  /** (batch) i32: the ids chosen by the last sampling dispatch. */
  readonly nextIds: Tensor<'i32'>;
  /** (TOKEN_RING, batch) i32: the ids chosen, step-major, step s at row s % TOKEN_RING. */
  readonly tokens: Tensor<'i32'>;
  /** (batch) u32: per-row step counters, advanced on the GPU by each sampling dispatch. */
  readonly steps: Tensor<'u32'>;
  /** (batch) Config structs: each row's settings. */
  readonly config: Tensor<'u32'>;
  /**
   * (batch, 2) u32: per row, the first step whose logits were not all finite (0xffffffff: none)
   * and the OR of its kinds (NON_FINITE_* in errors.ts). Reset with the row's settings.
   */
  readonly status: Tensor<'u32'>;
  private readonly words: number;

  constructor(
    private readonly ctx: GpuContext,
    readonly batch: number,
    readonly vocab: number,
    options?: ResolvedSampling,
  ) {
    this.words = Math.ceil(vocab / 32);
    this.presence = zeros(ctx, [batch, this.words], 'u32', 'sampler/presence');
    this.nextIds = zeros(ctx, [batch], 'i32', 'sampler/next-ids');
    this.tokens = zeros(ctx, [TOKEN_RING, batch], 'i32', 'sampler/tokens');
    this.steps = zeros(ctx, [batch], 'u32', 'sampler/steps');
    this.config = zeros(ctx, [(batch * CONFIG_BYTES) / 4], 'u32', 'sampler/config');
    this.status = zeros(ctx, [batch, 2], 'u32', 'sampler/status');
    this.clearStatus();
    if (options) this.reset(options, []);
  }

  /**
   * Starts a new generation: writes the settings of every row (row r draws as row `firstRow + r`),
   * zeroes the step counters and marks the prompt tokens as seen (for the repetition penalty).
   * `ids[row]` lists row's tokens.
   */
  reset(options: ResolvedSampling, ids: readonly (readonly number[])[], firstRow = 0): void {
    const settings = new Uint32Array((this.batch * CONFIG_BYTES) / 4);
    for (let r = 0; r < this.batch; r++) {
      settings.set(new Uint32Array(packSettings(options, firstRow + r)), (r * CONFIG_BYTES) / 4);
    }
    this.config.write(settings);
    this.steps.write(new Uint32Array(this.batch));
    this.clearStatus();
    const bits = new Uint32Array(this.batch * this.words);
    ids.forEach((row, r) => {
      for (const id of row) bits[r * this.words + (id >>> 5)]! |= 1 << (id & 31);
    });
    this.presence.write(bits);
  }

  /** Marks every row as having seen only finite logits: [NO_STEP, 0] per row. */
  private clearStatus(): void {
    const words = new Uint32Array(this.batch * 2);
    for (let r = 0; r < this.batch; r++) words[2 * r] = NO_STEP;
    this.status.write(words);
  }

  /**
   * Copies row 0 of a batch-1 sampler that has sampled its first id (step 0) into row `row`: the
   * id, its token-ring entry, the seen-token bits, the step counter and the settings; the row then
   * continues exactly as it would have alone.
   */
  adoptRow(row: number, single: GpuSampler): void {
    const ctx = this.ctx;
    ctx.copyBuffer(single.nextIds.buffer, 0, this.nextIds.buffer, row * 4, 4);
    ctx.copyBuffer(single.tokens.buffer, 0, this.tokens.buffer, row * 4, 4);
    ctx.copyBuffer(single.presence.buffer, 0, this.presence.buffer, row * this.words * 4, this.words * 4);
    ctx.copyBuffer(single.steps.buffer, 0, this.steps.buffer, row * 4, 4);
    ctx.copyBuffer(single.config.buffer, 0, this.config.buffer, row * CONFIG_BYTES, CONFIG_BYTES);
    ctx.copyBuffer(single.status.buffer, 0, this.status.buffer, row * 8, 8);
  }

  /** Sets every row's step counter (after rows were adopted with their step 0 done). */
  startAt(step: number): void {
    this.steps.write(new Uint32Array(this.batch).fill(step));
  }

  /**
   * Records the sampling dispatch from `logits` rows (row r at `r * rowStride` elements; the
   * vocab's first `vocab` columns are used). NaN and +-Inf logits are never chosen; a row with no
   * finite logit gets id 0; both are recorded in `status` (see `readStatus`).
   */
  sample(logits: GPUBuffer | Tensor, rowStride = this.vocab): void {
    const buffer = logits instanceof Tensor ? logits.buffer : logits;
    this.ctx.dispatch({
      pipeline: this.ctx.pipeline('mamba-model/sample', code),
      params: Params.pack({
        vocab: this.vocab,
        row_stride: rowStride,
        words: this.words,
        batch: this.batch,
        ring: TOKEN_RING,
      }),
      bindings: [
        buffer,
        this.presence.buffer,
        this.nextIds.buffer,
        this.tokens.buffer,
        this.steps.buffer,
        this.config.buffer,
        this.status.buffer,
      ],
      workgroups: [this.batch],
      label: 'sample',
    });
  }

  /**
   * Starts reading the whole token ring, (TOKEN_RING, batch) step-major: row r's step s at
   * `(s % TOKEN_RING) * batch + r`, for rows whose steps differ (continuous batching).
   */
  readRing(): Promise<Int32Array> {
    return this.ctx.readBuffer(this.tokens.buffer, 0, this.tokens.byteLength).then((b) => new Int32Array(b));
  }

  /**
   * Starts reading the ids of steps [from, to) (to - from <= TOKEN_RING, and no step past `to`
   * recorded beyond the ring); the copy is submitted now, the promise resolves once the GPU is
   * there: record more steps before awaiting it to keep the GPU busy. result[row] = ids.
   */
  readTokens(from: number, to: number): Promise<number[][]> {
    if (to - from > TOKEN_RING || from > to) {
      throw new InvalidArgumentError(
        `GpuSampler.readTokens: window [${from}, ${to}) exceeds the ring of ${TOKEN_RING}`,
        'to',
      );
    }
    const rows: number[][] = Array.from({ length: this.batch }, () => []);
    if (to === from) return Promise.resolve(rows);
    const rowBytes = this.batch * 4;
    const start = from % TOKEN_RING;
    const first = Math.min(to - from, TOKEN_RING - start);
    const parts = [this.ctx.readBuffer(this.tokens.buffer, start * rowBytes, first * rowBytes)];
    if (first < to - from)
      parts.push(this.ctx.readBuffer(this.tokens.buffer, 0, (to - from - first) * rowBytes));
    return Promise.all(parts).then((buffers) => {
      for (const bytes of buffers) {
        const ids = new Int32Array(bytes);
        for (let s = 0; s < ids.length / this.batch; s++) {
          for (let r = 0; r < this.batch; r++) rows[r]!.push(ids[s * this.batch + r]!);
        }
      }
      return rows;
    });
  }

  /**
   * Starts reading every row's non-finite status: the rows whose logits held NaN or +Inf, or no
   * finite value, at some step since their reset, with the first such step (per-row step
   * numbering). Submitted now, like `readTokens`; empty when every logit was finite.
   */
  readStatus(): Promise<NonFiniteLogits[]> {
    return this.ctx.readBuffer(this.status.buffer, 0, this.status.byteLength).then((bytes) => {
      const words = new Uint32Array(bytes);
      const out: NonFiniteLogits[] = [];
      for (let r = 0; r < this.batch; r++) {
        if (words[2 * r + 1] !== 0) out.push(describeNonFinite(r, words[2 * r]!, words[2 * r + 1]!));
      }
      return out;
    });
  }

  dispose(): void {
    this.status.dispose();
    this.presence.dispose();
    this.nextIds.dispose();
    this.tokens.dispose();
    this.steps.dispose();
    this.config.dispose();
  }
}

function packSettings(options: ResolvedSampling, rngRow: number): ArrayBuffer {
  return Config.pack({
    temperature: options.temperature,
    top_k: options.topK,
    top_p: options.topP,
    min_p: options.minP,
    penalty: options.repetitionPenalty,
    seed: options.seed,
    rng_row: rngRow,
    pad: 0,
  });
}
