// GenerationGraph: everything a batch of `batch` rows needs to generate, kept on the GPU and
// reused across generate() calls: per-layer conv/ssm states, the sampler, the prefill captured
// per prompt length, the decode step captured once and what its kernels prepared from the weights.
// After the first call of a shape, a prefill or a decode step costs one replay (no bind groups,
// parameters or allocations).

import { type GpuContext, type Recording, Tensor, contiguous, matmul, zeros } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../loading/config.js';
import { GpuSampler } from '../sampling/sampler.js';
import { backboneStep, type PreparedDecode, prepareDecode } from './decode.js';
import { backbonePrefill, type LayerState } from './forward.js';
import type { MambaWeights } from './weights.js';

/** Prompt lengths whose captured prefill is kept per graph (least recently used dropped). */
const PREFILL_CACHE = 2;

export class GenerationGraph {
  readonly states: LayerState[];
  readonly sampler: GpuSampler;
  /** Set while a generation uses this graph. */
  busy = false;
  /**
   * Why the graph was freed while a generation still held it (`dispose()` of the model, or
   * `releaseCaches()`); that generation stops with a DisposedError at its next step.
   */
  revokedBy: 'dispose' | 'releaseCaches' | undefined;
  private disposed = false;
  private decode: Recording | undefined;
  /** The decode kernels' buffers built from the weights (owned here, made with the decode step). */
  private decodePrepared: PreparedDecode | undefined;
  private readonly prefills = new Map<number, { ids: Tensor<'i32'>; recording: Recording }>();

  constructor(
    private readonly ctx: GpuContext,
    private readonly config: MambaConfig,
    private readonly weights: MambaWeights,
    readonly batch: number,
  ) {
    const { dInner, dConv, dState } = config;
    this.states = weights.layers.map(() => ({
      conv: zeros(ctx, [batch, dInner, dConv], 'f32', 'state/conv'),
      ssm: zeros(ctx, [batch, dInner, dState], 'f32', 'state/ssm'),
    }));
    this.sampler = new GpuSampler(ctx, batch, config.vocabSize);
  }

  /** Records the prefill of `ids` (batch*seqLen, row-major) and the sampling of the first id. */
  prefill(ids: Int32Array, seqLen: number): void {
    let entry = this.prefills.get(seqLen);
    if (entry) {
      this.prefills.delete(seqLen);
    } else {
      const { ctx, config, weights, batch } = this;
      const idTensor = Tensor.empty(ctx, [batch, seqLen], 'i32', 'prefill/ids');
      const recording = ctx.captureSequence(`prefill/L=${seqLen}`, () => {
        using hidden = backbonePrefill(config, weights, idTensor, batch, seqLen, this.states);
        // Each row's last token: (batch, dModel) rows seqLen * dModel apart, copied when batch > 1.
        const { dModel } = config;
        using lastRows = hidden.view({
          shape: [batch, dModel],
          strides: [seqLen * dModel, 1],
          offset: (seqLen - 1) * dModel,
        });
        using last = lastRows.isContiguous ? lastRows.reshape(lastRows.shape) : contiguous(lastRows);
        using logits = matmul(last, weights.lmHead);
        this.sampler.sample(logits);
      });
      entry = { ids: idTensor, recording };
      while (this.prefills.size >= PREFILL_CACHE) {
        const [oldest, old] = this.prefills.entries().next().value!;
        this.prefills.delete(oldest);
        old.recording.dispose();
        old.ids.dispose();
      }
    }
    this.prefills.set(seqLen, entry);
    entry.ids.write(ids);
    entry.recording.replay();
  }

  /**
   * Copies row 0 of a batch-1 graph after its prefill (conv and ssm states, first sampled id,
   * seen-token bits) into row `row` of this graph: prompts of different lengths, prefilled alone.
   */
  adoptRow(row: number, single: GenerationGraph): void {
    const { ctx } = this;
    this.states.forEach((s, l) => {
      const from = single.states[l]!;
      ctx.copyBuffer(from.conv.buffer, 0, s.conv.buffer, row * from.conv.byteLength, from.conv.byteLength);
      ctx.copyBuffer(from.ssm.buffer, 0, s.ssm.buffer, row * from.ssm.byteLength, from.ssm.byteLength);
    });
    this.sampler.adoptRow(row, single.sampler);
  }

  /** Records one decode step for every row (feeds on the sampler's last ids). */
  step(): void {
    if (!this.decode) {
      const { config, weights, states, sampler } = this;
      this.decodePrepared ??= prepareDecode(weights);
      const prepared = this.decodePrepared;
      this.decode = this.ctx.captureSequence('decode-step', () => {
        using hidden = backboneStep(config, weights, sampler.nextIds, states, prepared);
        using logits = matmul(hidden, weights.lmHead);
        sampler.sample(logits);
      });
    }
    this.decode.replay();
  }

  /** Frees every buffer of the graph. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.decode?.dispose();
    this.decodePrepared?.dispose();
    for (const { ids, recording } of this.prefills.values()) {
      recording.dispose();
      ids.dispose();
    }
    this.prefills.clear();
    this.sampler.dispose();
    for (const s of this.states) {
      s.conv.dispose();
      s.ssm.dispose();
    }
  }
}
