// MambaModel: a loaded checkpoint on the GPU with its forward pass (all logits), batched
// generation (parallel prefill, then O(1) recurrent decode with states on the GPU and sampling
// on the GPU) and token streaming through the tokenizer's incremental decoder.

import {
  DisposedError,
  type GpuContext,
  getGpuContext,
  InvalidArgumentError,
  matmul,
  Tensor,
} from '@mamba-webgpu/tensor';
import type { Checkpoint, LoadProgress, OpenCheckpointOptions } from '../loading/checkpoint.js';
import type { MambaConfig } from '../loading/config.js';
import { openCheckpoint } from '../loading/checkpoint.js';
import type { CheckpointStore } from '../loading/store.js';
import { parseTokenizerConfig, type TokenizerConfig } from '../loading/tokenizer-config.js';
import { backbonePrefill } from './forward.js';
import {
  checkIds,
  checkPromptRow,
  type GenerateOptions,
  resolveGenerateOptions,
} from './generate-options.js';
import { nonFiniteLogitsError } from '../sampling/errors.js';
import { checkPromptFits, maxForwardTokens, maxPrefillTokens } from './prompt-limits.js';
import { GenerationGraph } from './session.js';
import { loadTokenizer, type ModelTokenizer } from './tokenizer.js';
import { checkMemoryBudget, checkWeightDType, checkWeightsFit } from './weight-fit.js';
import { disposeWeights, type MambaWeights, type WeightDType, uploadWeights } from './weights.js';

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

/** Batch sizes whose generation graph is kept (least recently used dropped). */
const GRAPH_CACHE = 2;

export interface LoadModelOptions {
  /** GPU context (default: the shared one from getGpuContext()). */
  ctx?: GpuContext;
  onProgress?: (p: LoadProgress) => void;
  /** Override config.json. */
  config?: MambaConfig;
  /** Checkpoint warnings (unused tensors, vocab padding, F64 weights); default console.warn. */
  onWarning?: OpenCheckpointOptions['onWarning'];
  /**
   * Storage dtype of the weight matrices (see `WeightDType`): default as stored in the
   * checkpoint; `q8` / `q4` quantize each matrix as it is read (blocks of 32, `QUANT_BLOCK`).
   */
  dtype?: WeightDType;
  /**
   * Bytes the weights may take on the GPU (e.g. a browser tab's budget). Checked, with the
   * adapter's maxBufferSize, before anything is allocated: a `ModelTooLargeError` names the
   * dtypes that would fit.
   */
  memoryBudgetBytes?: number;
}

/** Opens a checkpoint from any store (folder, URL, memory), uploads its weights, reads its tokenizer. */
export async function loadModelFromStore(
  store: CheckpointStore,
  options: LoadModelOptions = {},
): Promise<MambaModel> {
  checkWeightDType('loadModel', options.dtype);
  checkMemoryBudget('loadModel', options.memoryBudgetBytes);
  const ctx = options.ctx ?? (await getGpuContext());
  const checkpoint = await openCheckpoint(store, {
    ...(options.config ? { config: options.config } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  try {
    checkWeightsFit('loadModel', ctx, checkpoint.tensors, options.dtype, options.memoryBudgetBytes);
    return await MambaModel.fromCheckpoint(ctx, checkpoint, options.onProgress, options.dtype);
  } finally {
    await checkpoint.close();
  }
}

export type { GenerateOptions } from './generate-options.js';

export class MambaModel {
  /** Generation graphs by batch size (least recently used first). */
  private readonly graphs = new Map<number, GenerationGraph>();
  /** Graphs held by generations in flight (cached or private), so dispose() frees them too. */
  private readonly inFlight = new Set<GenerationGraph>();
  /** Stats of the last `generate`/`stream` call. */
  lastStats: GenerationStats | undefined;
  private disposed = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: MambaConfig,
    readonly weights: MambaWeights,
    readonly tokenizer: ModelTokenizer | undefined,
    /** The checkpoint's tokenizer_config.json (chat template, special tokens), when it has one. */
    readonly tokenizerConfig: TokenizerConfig | undefined = undefined,
  ) {}

  /** Uploads an opened checkpoint's weights (the caller closes the checkpoint). */
  static async fromCheckpoint(
    ctx: GpuContext,
    checkpoint: Checkpoint,
    onProgress?: (p: LoadProgress) => void,
    dtype?: WeightDType,
  ): Promise<MambaModel> {
    checkWeightDType('MambaModel.fromCheckpoint', dtype);
    const weights = await uploadWeights(ctx, checkpoint, onProgress, dtype);
    try {
      const json = await checkpoint.readTokenizerJson();
      const tokenizer = json ? await loadTokenizer(json) : undefined;
      const configJson = await checkpoint.readTokenizerConfigJson();
      const tokenizerConfig = configJson ? parseTokenizerConfig(configJson) : undefined;
      await ctx.sync('loadModel');
      return new MambaModel(ctx, checkpoint.config, weights, tokenizer, tokenizerConfig);
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
    this.assertLive('MambaModel.forward');
    const { batch, seqLen, flat } = checkIds('MambaModel.forward', ids, this.config.vocabSize);
    const { limits } = this.ctx;
    checkPromptFits('MambaModel.forward', batch, seqLen, maxForwardTokens(this.config, limits), limits);
    using idTensor = Tensor.fromArray(this.ctx, flat, [batch, seqLen], 'i32', 'forward/ids');
    using hidden = backbonePrefill(this.config, this.weights, idTensor, batch, seqLen);
    return matmul(hidden, this.weights.lmHead);
  }

  /**
   * Generates up to `maxTokens` new ids for each prompt row and returns them. Rows of equal length
   * share one batched prefill; rows of different lengths are prefilled one by one, then decoded
   * together.
   */
  async generate(prompt: readonly (readonly number[])[], options: GenerateOptions): Promise<number[][]> {
    // Rows are created from the steps (every row gets an id at step 0): `prompt` is only used once
    // `steps` has validated it.
    const rows: number[][] = [];
    for await (const step of this.steps('MambaModel.generate', prompt, options)) {
      step.forEach((id, r) => {
        rows[r] ??= [];
        if (id !== undefined) rows[r].push(id);
      });
    }
    return rows;
  }

  /** Streams the new tokens of one prompt with their text deltas. */
  async *stream(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const row = checkPromptRow('MambaModel.stream', prompt);
    const decoder = this.tokenizer?.streamDecoder();
    for await (const step of this.steps('MambaModel.stream', [row], options)) {
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
    const { batch, seqLen, flat, ragged } = checkIds(caller, prompt, this.config.vocabSize, true);
    const { maxTokens, sampling, stop, maxChunk, signal } = resolveGenerateOptions(
      caller,
      options,
      this.config,
    );
    signal?.throwIfAborted();
    const { limits } = this.ctx;
    const fits = maxPrefillTokens(this.config, limits);
    // Rows of different lengths are prefilled one by one: each must fit alone.
    if (ragged) for (const row of prompt) checkPromptFits(caller, 1, row.length, fits, limits);
    else checkPromptFits(caller, batch, seqLen, fits, limits);
    const graph = this.acquireGraph(batch);
    const { ctx } = this;
    /** Throws once dispose() or releaseCaches() freed the graph (checked after every await/yield). */
    const assertHeld = () => {
      if (graph.revokedBy !== undefined) throw revokedError(caller, graph.revokedBy);
    };
    const done = new Array<boolean>(batch).fill(false);
    try {
      const t0 = performance.now();
      graph.sampler.reset(sampling, prompt);
      if (!ragged) {
        graph.prefill(flat, seqLen); // step 0's id is sampled at the end of the prefill
      } else {
        // Prompts of different lengths: each row is prefilled alone (no padding: it would enter
        // the recurrent state) and its states and first id are copied into the batch.
        const single = this.acquireGraph(1);
        try {
          prompt.forEach((row, r) => {
            single.sampler.reset(sampling, [row], r);
            single.prefill(Int32Array.from(row), row.length);
            graph.adoptRow(r, single);
          });
          graph.sampler.startAt(1);
        } finally {
          this.releaseGraph(single);
        }
      }
      let recorded = 1;
      let read = 0;
      let chunk = 1;
      let prefillMs = 0;
      let decodeStart = 0;
      const record = (until: number) => {
        assertHeld();
        while (recorded < Math.min(until, maxTokens)) {
          graph.step();
          recorded++;
        }
        ctx.flush();
      };
      while (read < maxTokens) {
        // Read steps [read, target) while the GPU already works on the next chunk; chunks grow
        // 1, 2, 4 ... up to maxChunk so the first tokens arrive at once.
        const target = Math.min(maxTokens, read + chunk);
        record(target);
        const pending = Promise.all([graph.sampler.readTokens(read, target), graph.sampler.readStatus()]);
        record(target + chunk);
        const [rows, nonFinite] = await pending;
        assertHeld();
        if (read === 0) {
          prefillMs = performance.now() - t0;
          decodeStart = performance.now();
        }
        for (let s = 0; s < target - read; s++) {
          signal?.throwIfAborted();
          // A live row whose logits at this step were not finite ends the generation, typed.
          const bad = nonFinite.find((b) => b.step === read + s && !done[b.row]);
          if (bad) throw nonFiniteLogitsError(caller, bad);
          const out = rows.map((row, r) => {
            if (done[r]) return undefined;
            const id = row[s]!;
            if (stop.has(id)) done[r] = true;
            return id;
          });
          this.lastStats = {
            promptTokens: prompt.reduce((n, row) => n + row.length, 0),
            generatedTokens: (read + s + 1) * batch,
            prefillMs,
            decodeMs: performance.now() - decodeStart,
          };
          yield out;
          assertHeld();
          if (done.every(Boolean)) break;
        }
        if (done.every(Boolean)) break;
        read = target;
        chunk = Math.min(maxChunk, chunk * 2);
      }
      await ctx.sync(caller);
    } finally {
      this.releaseGraph(graph);
    }
  }

  /** The generation graph for `batch` rows: the cached one when free, else a private one. */
  private acquireGraph(batch: number): GenerationGraph {
    const cached = this.graphs.get(batch);
    if (cached && !cached.busy) {
      this.graphs.delete(batch);
      this.graphs.set(batch, cached); // most recently used last
      cached.busy = true;
      this.inFlight.add(cached);
      return cached;
    }
    const graph = new GenerationGraph(this.ctx, this.config, this.weights, batch);
    graph.busy = true;
    this.inFlight.add(graph);
    if (!cached) {
      this.graphs.set(batch, graph);
      while (this.graphs.size > GRAPH_CACHE) {
        const [oldest, old] = this.graphs.entries().next().value!;
        if (old.busy) break;
        this.graphs.delete(oldest);
        old.dispose();
      }
    }
    return graph;
  }

  private releaseGraph(graph: GenerationGraph): void {
    graph.busy = false;
    this.inFlight.delete(graph);
    if (this.graphs.get(graph.batch) !== graph) graph.dispose();
  }

  /**
   * Frees every generation graph (states, captured steps), also those of generations in flight
   * and of iterators left unfinished: such a generation stops with a DisposedError at its next
   * step instead of keeping the graph alive. Graphs are rebuilt on demand.
   */
  releaseCaches(): void {
    this.revokeGraphs('releaseCaches');
  }

  private revokeGraphs(by: 'dispose' | 'releaseCaches'): void {
    for (const g of this.inFlight) g.revokedBy = by;
    for (const g of [...this.graphs.values(), ...this.inFlight]) g.dispose();
    this.graphs.clear();
    this.inFlight.clear();
  }

  private assertLive(caller: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${caller}: the model was disposed`, 'this');
  }

  /**
   * Frees every weight and generation graph on the GPU. A `generate`/`stream` in flight (or an
   * unfinished iterator) stops at its next step with a DisposedError; no id is computed from the
   * freed weights. Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.revokeGraphs('dispose');
    disposeWeights(this.weights);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The error a generation in flight meets once its graph (or the whole model) was freed. */
function revokedError(caller: string, by: 'dispose' | 'releaseCaches'): DisposedError {
  return new DisposedError(
    by === 'dispose'
      ? `${caller}: the model was disposed while this generation was in flight; it stopped (no id comes from freed weights)`
      : `${caller}: releaseCaches() freed this generation's state while it was in flight; it stopped (call releaseCaches() between generations)`,
  );
}
