// GpuSampler: per-session sampling state on the GPU (seen-token bitmap, next ids, generated
// tokens) and the dispatch that picks each step's ids. Only the chosen ids ever come back.

import { type GpuContext, InvalidArgumentError, Tensor, zeros } from '@mamba-webgpu/tensor';
import { defineParams } from '@mamba-webgpu/tensor/internal';
import type { ResolvedSampling } from './options.js';
import { RNG_WGSL } from './rng.js';
import source from './sample.wgsl';

const Params = defineParams('Params', {
  vocab: 'u32',
  row_stride: 'u32',
  words: 'u32',
  batch: 'u32',
  capacity: 'u32',
  seed: 'u32',
  top_k: 'u32',
  temperature: 'f32',
  top_p: 'f32',
  min_p: 'f32',
  penalty: 'f32',
});
const code = Params.wgsl + RNG_WGSL + source;

export class GpuSampler {
  /** (batch, ceil(vocab/32)) u32: bit i set when token i was seen. */
  readonly presence: Tensor<'u32'>;
  /** (batch) i32: the ids chosen by the last `sample`. */
  readonly nextIds: Tensor<'i32'>;
  /** (batch) u32: per-row step counters, advanced on the GPU by each sampling dispatch. */
  readonly steps: Tensor<'u32'>;
  /** (capacity, batch) i32: every id chosen, step-major. */
  readonly tokens: Tensor<'i32'>;
  private readonly words: number;

  constructor(
    private readonly ctx: GpuContext,
    readonly batch: number,
    readonly vocab: number,
    /** Maximum number of steps (columns of `tokens`). */
    readonly capacity: number,
    private readonly options: ResolvedSampling,
  ) {
    this.words = Math.ceil(vocab / 32);
    this.presence = zeros(ctx, [batch, this.words], 'u32', 'sampler/presence');
    this.nextIds = zeros(ctx, [batch], 'i32', 'sampler/next-ids');
    this.tokens = zeros(ctx, [Math.max(1, capacity), batch], 'i32', 'sampler/tokens');
    this.steps = zeros(ctx, [batch], 'u32', 'sampler/steps');
  }

  /** Marks prompt tokens as seen (for the repetition penalty). `ids[row]` lists row's tokens. */
  markSeen(ids: readonly (readonly number[])[]): void {
    const bits = new Uint32Array(this.batch * this.words);
    ids.forEach((row, r) => {
      for (const id of row) bits[r * this.words + (id >>> 5)]! |= 1 << (id & 31);
    });
    this.presence.write(bits);
  }

  /**
   * Records the sampling dispatch from `logits` rows (row r at `r * rowStride` elements; the
   * vocab's first `vocab` columns are used). The step index is the GPU-side counter `steps`, so
   * the dispatch can be captured once and replayed; ids past `capacity` are not stored.
   */
  sample(logits: GPUBuffer | Tensor, rowStride = this.vocab): void {
    const o = this.options;
    const buffer = logits instanceof Tensor ? logits.buffer : logits;
    this.ctx.dispatch({
      pipeline: this.ctx.pipeline('mamba-model/sample', code),
      params: Params.pack({
        vocab: this.vocab,
        row_stride: rowStride,
        words: this.words,
        batch: this.batch,
        capacity: this.capacity,
        seed: o.seed,
        top_k: o.topK,
        temperature: o.temperature,
        top_p: o.topP,
        min_p: o.minP,
        penalty: o.repetitionPenalty,
      }),
      bindings: [buffer, this.presence.buffer, this.nextIds.buffer, this.tokens.buffer, this.steps.buffer],
      workgroups: [this.batch],
      label: 'sample',
    });
  }

  /** Reads tokens [from, to) of every row: result[row] = ids. */
  async readTokens(from: number, to: number): Promise<number[][]> {
    const rows: number[][] = Array.from({ length: this.batch }, () => []);
    if (to <= from) return rows;
    if (to > this.capacity) {
      throw new InvalidArgumentError(
        `GpuSampler.readTokens: step ${to} exceeds capacity ${this.capacity}`,
        'to',
      );
    }
    const bytes = await this.ctx.readBuffer(
      this.tokens.buffer,
      from * this.batch * 4,
      (to - from) * this.batch * 4,
    );
    const ids = new Int32Array(bytes);
    for (let s = 0; s < to - from; s++)
      for (let r = 0; r < this.batch; r++) rows[r]!.push(ids[s * this.batch + r]!);
    return rows;
  }

  dispose(): void {
    this.presence.dispose();
    this.nextIds.dispose();
    this.tokens.dispose();
    this.steps.dispose();
  }
}
