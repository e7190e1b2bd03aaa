// MambaModel: a loaded checkpoint on the GPU with its forward pass (all logits), batched
// generation (parallel prefill, then O(1) recurrent decode with states on the GPU and sampling
// on the GPU) and token streaming through the tokenizer's incremental decoder.

import {
  type GpuContext,
  getGpuContext,
  InvalidArgumentError,
  type Recording,
  Tensor,
  zeros,
} from '@mamba-webgpu/tensor';
import type { Checkpoint, LoadProgress } from '../loading/checkpoint.js';
import type { MambaConfig } from '../loading/config.js';
import { openCheckpoint } from '../loading/checkpoint.js';
import type { CheckpointStore } from '../loading/store.js';
import { stridedCopy } from '../kernels/strided-copy.js';
import { resolveSampling, type SamplingOptions } from '../sampling/options.js';
import { GpuSampler } from '../sampling/sampler.js';
import { backboneStep } from './decode.js';
import { backbonePrefill, type LayerState } from './forward.js';
import { linear } from './ops.js';
import { loadTokenizer, type ModelTokenizer } from './tokenizer.js';
import { disposeWeights, type MambaWeights, uploadWeights } from './weights.js';

export interface GenerateOptions extends SamplingOptions {
  /** New tokens to generate per row (>= 1). */
  maxTokens: number;
  /** Extra ids that end a row (the stop id is kept in the output). */
  stopIds?: readonly number[];
  /** Stop at the config's EOS id (default true). */
  eos?: boolean;
  /** Abort generation; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Decode steps recorded ahead of the ids read back (default 4): hides the read latency. */
  lookahead?: number;
}

export interface StreamChunk {
  id: number;
  /** Text added by this token ('' while a multi-byte character is incomplete, or without tokenizer). */
  text: string;
}

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface LoadModelOptions {
  /** GPU context (default: the shared one from getGpuContext()). */
  ctx?: GpuContext;
  onProgress?: (p: LoadProgress) => void;
  /** Override config.json. */
  config?: MambaConfig;
}

/** Opens a checkpoint from any store (folder, URL, memory), uploads its weights, reads its tokenizer. */
export async function loadModelFromStore(
  store: CheckpointStore,
  options: LoadModelOptions = {},
): Promise<MambaModel> {
  const ctx = options.ctx ?? (await getGpuContext());
  const checkpoint = await openCheckpoint(store, options.config ? { config: options.config } : {});
  try {
    return await MambaModel.fromCheckpoint(ctx, checkpoint, options.onProgress);
  } finally {
    await checkpoint.close();
  }
}

export class MambaModel {
  /** Stats of the last `generate`/`stream` call. */
  lastStats: GenerationStats | undefined;
  private disposed = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: MambaConfig,
    readonly weights: MambaWeights,
    readonly tokenizer: ModelTokenizer | undefined,
  ) {}

  /** Uploads an opened checkpoint's weights (the caller closes the checkpoint). */
  static async fromCheckpoint(
    ctx: GpuContext,
    checkpoint: Checkpoint,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<MambaModel> {
    const weights = await uploadWeights(ctx, checkpoint, onProgress);
    try {
      const json = await checkpoint.readTokenizerJson();
      const tokenizer = json ? await loadTokenizer(json) : undefined;
      await ctx.sync('loadModel');
      return new MambaModel(ctx, checkpoint.config, weights, tokenizer);
    } catch (error) {
      disposeWeights(weights);
      throw error;
    }
  }

  /** Builds a model from weights already on the GPU (bench: random weights). Takes ownership. */
  static fromWeights(ctx: GpuContext, config: MambaConfig, weights: MambaWeights): MambaModel {
    return new MambaModel(ctx, config, weights, undefined);
  }

  /** Bytes of weights on the GPU. */
  get weightBytes(): number {
    return this.weights.bytes;
  }

  /**
   * Logits of every position: ids (batch, seqLen) -> Float32Array (batch, seqLen, vocabSize).
   */
  async forward(ids: readonly (readonly number[])[]): Promise<Float32Array> {
    using logits = this.forwardTensor(ids);
    const out = await logits.read();
    await this.ctx.checkErrors('MambaModel.forward');
    return out;
  }

  /** As `forward`, keeping the logits (batch*seqLen, vocabSize) on the GPU (the caller owns it). */
  forwardTensor(ids: readonly (readonly number[])[]): Tensor<'f32'> {
    const { batch, seqLen, flat } = this.checkIds('MambaModel.forward', ids);
    using idTensor = Tensor.fromArray(this.ctx, flat, [batch, seqLen], 'i32', 'forward/ids');
    using hidden = backbonePrefill(this.config, this.weights, idTensor, batch, seqLen);
    return linear(hidden, this.weights.lmHead);
  }

  /** Generates up to `maxTokens` new ids for each prompt row (equal lengths); returns the new ids. */
  async generate(prompt: readonly (readonly number[])[], options: GenerateOptions): Promise<number[][]> {
    const rows: number[][] = prompt.map(() => []);
    for await (const step of this.steps('MambaModel.generate', prompt, options)) {
      step.forEach((id, r) => {
        if (id !== undefined) rows[r]!.push(id);
      });
    }
    return rows;
  }

  /** Streams the new tokens of one prompt with their text deltas. */
  async *stream(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const decoder = this.tokenizer?.streamDecoder();
    for await (const step of this.steps('MambaModel.stream', [prompt], options)) {
      const id = step[0];
      if (id === undefined) continue;
      yield { id, text: decoder ? decoder.push(id) : '' };
    }
    const rest = decoder?.flush() ?? '';
    if (rest) yield { id: -1, text: rest };
  }

  /**
   * The generation loop. Yields, per decode step, each row's new id (undefined for rows that
   * already stopped). All state (conv/ssm per layer, sampler) is allocated once per call and freed
   * at the end, also on error or early return.
   */
  private async *steps(
    caller: string,
    prompt: readonly (readonly number[])[],
    options: GenerateOptions,
  ): AsyncGenerator<(number | undefined)[]> {
    this.assertLive(caller);
    const { batch, seqLen, flat } = this.checkIds(caller, prompt);
    if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) {
      throw new InvalidArgumentError(
        `${caller}: maxTokens must be an integer >= 1, got ${options.maxTokens}`,
        'maxTokens',
      );
    }
    const sampling = resolveSampling(caller, options);
    const stop = new Set(options.stopIds ?? []);
    if ((options.eos ?? true) && this.config.eosTokenId !== undefined) stop.add(this.config.eosTokenId);
    const lookahead = Math.max(1, options.lookahead ?? 4);
    const { ctx, config, weights } = this;
    const { dInner, dConv, dState, dModel } = config;

    const states: LayerState[] = weights.layers.map(() => ({
      conv: zeros(ctx, [batch, dInner, dConv], 'f32', 'state/conv'),
      ssm: zeros(ctx, [batch, dInner, dState], 'f32', 'state/ssm'),
    }));
    const sampler = new GpuSampler(ctx, batch, config.vocabSize, options.maxTokens, sampling);
    const done = new Array<boolean>(batch).fill(false);
    let recording: Recording | undefined;
    try {
      sampler.markSeen(prompt);
      const t0 = performance.now();
      {
        using ids = Tensor.fromArray(ctx, flat, [batch, seqLen], 'i32', 'prefill/ids');
        using hidden = backbonePrefill(config, weights, ids, batch, seqLen, states);
        using last = stridedCopy(
          hidden,
          [1, batch, dModel],
          { offset: (seqLen - 1) * dModel, strideB: 0, strideI: seqLen * dModel, strideJ: 1 },
          { label: 'prefill/last', outShape: [batch, dModel] },
        );
        using logits = linear(last, weights.lmHead);
        sampler.sample(logits);
      }
      // The decode step, captured once (bind groups, params, intermediates) and replayed per token.
      recording = ctx.captureSequence('decode-step', () => {
        using hidden = backboneStep(config, weights, sampler.nextIds, batch, states);
        using logits = linear(hidden, weights.lmHead);
        sampler.sample(logits);
      });
      let recorded = 1;
      let read = 0;
      let prefillMs = 0;
      const tDecode = { start: 0 };
      while (read < options.maxTokens) {
        // Record decode steps ahead of what has been read, each feeding on the sampler's GPU ids.
        while (recorded < options.maxTokens && recorded - read < lookahead) {
          recording.replay();
          recorded++;
          ctx.flush();
        }
        const [ids] = await sampler.readTokens(read, read + 1).then((r) => [r.map((row) => row[0]!)]);
        if (read === 0) {
          prefillMs = performance.now() - t0;
          tDecode.start = performance.now();
        }
        read++;
        options.signal?.throwIfAborted();
        const out = ids!.map((id, r) => {
          if (done[r]) return undefined;
          if (stop.has(id)) done[r] = true;
          return id;
        });
        this.lastStats = {
          promptTokens: batch * seqLen,
          generatedTokens: read * batch,
          prefillMs,
          decodeMs: performance.now() - tDecode.start,
        };
        yield out;
        if (done.every(Boolean)) break;
      }
      await ctx.checkErrors(caller);
    } finally {
      recording?.dispose();
      sampler.dispose();
      for (const s of states) {
        s.conv.dispose();
        s.ssm.dispose();
      }
    }
  }

  /** Validates ids: a non-empty batch of equal-length, non-empty rows of integers in [0, vocab). */
  private checkIds(caller: string, ids: readonly (readonly number[])[]) {
    this.assertLive(caller);
    if (!Array.isArray(ids) || ids.length === 0 || !Array.isArray(ids[0])) {
      throw new InvalidArgumentError(`${caller}: ids must be a non-empty array of rows (number[][])`, 'ids');
    }
    const seqLen = ids[0]!.length;
    if (seqLen === 0)
      throw new InvalidArgumentError(`${caller}: the prompt is empty; give at least one token id`, 'ids');
    const flat = new Int32Array(ids.length * seqLen);
    ids.forEach((row, r) => {
      if (row.length !== seqLen) {
        throw new InvalidArgumentError(
          `${caller}: every row must have the same length (${seqLen}); row ${r} has ${row.length}. Generate unequal prompts separately`,
          'ids',
        );
      }
      row.forEach((id: number, t: number) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
          throw new InvalidArgumentError(
            `${caller}: ids[${r}][${t}] = ${id} is outside the vocabulary [0, ${this.config.vocabSize})`,
            'ids',
          );
        }
        flat[r * seqLen + t] = id;
      });
    });
    return { batch: ids.length, seqLen, flat };
  }

  private assertLive(caller: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${caller}: the model was disposed`, 'this');
  }

  /** Frees every weight on the GPU. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeWeights(this.weights);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
