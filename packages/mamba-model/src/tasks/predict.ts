// The model's answers to task rows (argmax over the vocabulary at the answer positions), by two
// paths:
//   predictAnswersTraining: the training forward on a tape without parameters (no gradients,
//     each layer's intermediates freed as it goes); any block, S6 or LTI; memory grows with L.
//   ChunkedPredictor: the inference forward chunk by chunk, each chunk continuing from the
//     previous one's conv and ssm states (ping-pong state sets): memory constant in L (S6 only).

import {
  type GpuContext,
  InvalidArgumentError,
  Tape,
  Tensor,
  contiguous,
  matmul,
  zeros,
} from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../loading/config.js';
import { type LayerState, backbonePrefill } from '../model/forward.js';
import { type MambaWeights, disposeWeights } from '../model/weights.js';
import { languageModelHidden } from '../training/model/loss.js';
import { isLtiParameters } from '../training/model/lti.js';
import type { MambaParameters } from '../training/model/parameters.js';
import { inferenceWeights } from './inference-weights.js';
import { type TaskStream, checkIntegerIn } from './task.js';

/** Index of the largest value of each row of (rows, vocab) logits (the first of ties). */
export function argmaxRows(logits: Float32Array, vocab: number): Int32Array {
  const rows = logits.length / vocab;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[r * vocab + v]! > logits[r * vocab + best]!) best = v;
    out[r] = best;
  }
  return out;
}

/**
 * Logits (batch * (to - from), vocab) of positions [from, to) of each row of hidden
 * (batch * len, dModel) or (batch, len, dModel), row-major by (row, position).
 */
function positionLogits(
  hidden: Tensor,
  head: Tensor,
  batch: number,
  len: number,
  from: number,
  to: number,
): Tensor<'f32'> {
  const dModel = hidden.shape[hidden.shape.length - 1]!;
  using rows = hidden.view({
    shape: [batch, to - from, dModel],
    strides: [len * dModel, dModel, 1],
    offset: from * dModel,
  });
  using copy = contiguous(rows);
  using flat = copy.reshape([batch * (to - from), dModel]);
  return matmul(flat, head);
}

/**
 * Predictions (batch, answerCount) for one batch of ids (batch, seqLen) through the training
 * forward without gradients: the LTI ablation's evaluation path (and the S6 model's at moderate L).
 */
export async function predictAnswersTraining(
  params: MambaParameters,
  ids: Int32Array,
  batch: number,
  seqLen: number,
  answerCount: number,
): Promise<Int32Array> {
  const { config } = params;
  const ctx = params.get('backbone.embeddings.weight').ctx;
  using idTensor = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32', 'tasks/ids');
  const tape = new Tape();
  try {
    const selective = !isLtiParameters(params);
    const hidden = languageModelHidden(
      tape,
      config,
      params,
      { ids: idTensor, hostIds: ids, batch, seqLen },
      { selective },
    );
    const head = config.tieEmbeddings
      ? params.get('backbone.embeddings.weight')
      : params.get('lm_head.weight');
    using logits = positionLogits(hidden, head, batch, seqLen, seqLen - answerCount, seqLen);
    return argmaxRows(await logits.read(), config.vocabSize);
  } finally {
    tape.dispose();
  }
}

/** Options of `ChunkedPredictor.predict`. */
export interface ChunkedPredictOptions {
  /** Positions per chunk; default: about 2^18 tokens per chunk (batch * chunkLen). */
  chunkLen?: number;
  /** Chunks recorded between two waits for the GPU (bounds queued uploads); default 8. */
  syncEvery?: number;
}

/**
 * The S6 model's answers to arbitrarily long rows in memory constant in their length: the
 * inference forward over chunks, each continuing from the previous chunk's conv and ssm states.
 * Owns its weights (built from the parameters when constructed) and state sets: dispose it.
 */
export class ChunkedPredictor {
  private readonly weights: MambaWeights;
  private readonly config: MambaConfig;
  private readonly ctx: GpuContext;
  private states: { batch: number; sets: [LayerState[], LayerState[]] } | undefined;

  constructor(params: MambaParameters) {
    this.weights = inferenceWeights(params);
    this.config = params.config;
    this.ctx = params.get('backbone.embeddings.weight').ctx;
  }

  private stateSets(batch: number): [LayerState[], LayerState[]] {
    if (this.states?.batch === batch) return this.states.sets;
    this.disposeStates();
    const { dInner, dConv, dState, nLayer } = this.config;
    const set = () =>
      Array.from({ length: nLayer }, () => ({
        conv: zeros(this.ctx, [batch, dInner, dConv], 'f32', 'tasks/chunked/conv-state'),
        ssm: zeros(this.ctx, [batch, dInner, dState], 'f32', 'tasks/chunked/ssm-state'),
      }));
    const sets: [LayerState[], LayerState[]] = [set(), set()];
    this.states = { batch, sets };
    return sets;
  }

  /** Predictions (batch, answerCount) for a fresh `stream`, read chunk by chunk to its end. */
  async predict(stream: TaskStream, options: ChunkedPredictOptions = {}): Promise<Int32Array> {
    if (stream.position !== 0) {
      throw new InvalidArgumentError(
        `ChunkedPredictor.predict: the stream must be unread (its rows start from zero states), got one at position ${stream.position}`,
        'stream',
      );
    }
    const { batch } = stream;
    const { seqLen, answerCount } = stream.task;
    const defaultChunk = Math.max(answerCount, Math.floor(2 ** 18 / batch));
    const chunkLen = checkIntegerIn(
      'ChunkedPredictor.predict',
      'chunkLen',
      options.chunkLen ?? defaultChunk,
      1,
    );
    const syncEvery = checkIntegerIn('ChunkedPredictor.predict', 'syncEvery', options.syncEvery ?? 8, 1);
    const sets = this.stateSets(batch);
    const answerStart = seqLen - answerCount;
    const pending: { from: number; logits: Tensor<'f32'> }[] = [];
    try {
      for (let c = 0; stream.position < seqLen; c++) {
        const start = stream.position;
        const len = Math.min(chunkLen, seqLen - start);
        using ids = Tensor.fromArray(this.ctx, stream.next(len), [batch, len], 'i32', 'tasks/chunked/ids');
        const out = sets[c % 2]!;
        const initial = c === 0 ? undefined : sets[(c + 1) % 2];
        using hidden = backbonePrefill(this.config, this.weights, ids, batch, len, out, initial);
        const from = Math.max(answerStart, start);
        if (from < start + len) {
          pending.push({
            from,
            logits: positionLogits(hidden, this.weights.lmHead, batch, len, from - start, len),
          });
        }
        if ((c + 1) % syncEvery === 0) await this.ctx.sync('ChunkedPredictor.predict');
      }
      const vocab = this.config.vocabSize;
      const out = new Int32Array(batch * answerCount);
      for (const { from, logits } of pending) {
        const n = logits.shape[0]! / batch;
        const predicted = argmaxRows(await logits.read(), vocab);
        for (let b = 0; b < batch; b++) {
          out.set(predicted.subarray(b * n, (b + 1) * n), b * answerCount + (from - answerStart));
        }
      }
      return out;
    } finally {
      for (const p of pending) p.logits.dispose();
    }
  }

  private disposeStates(): void {
    for (const set of this.states?.sets ?? []) {
      for (const s of set) {
        s.conv.dispose();
        s.ssm.dispose();
      }
    }
    this.states = undefined;
  }

  /** Frees the weights and the state sets. */
  dispose(): void {
    this.disposeStates();
    disposeWeights(this.weights);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
