// Quantized weights (q8, q4) against the same weights in f32: per-layer relative error of the
// hidden state, KL divergence and top-1 agreement of the logits, on the tiny fixture (HF-made
// weights) and on a random-weight model with the exact mamba-130m config; decode matches the
// quantized prefill; memory per dtype; typed errors for bad dtypes and models that do not fit.

import { fileURLToPath } from 'node:url';
import { getGpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { ModelTooLargeError, openCheckpoint, parseMambaConfig } from '../../src/index.js';
import { backbonePrefill } from '../../src/model/forward.js';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { argmax, compareLogits, relativeError } from '../../src/model/quality.js';
import { randomWeights } from '../../src/model/random-weights.js';
import { MambaModel as Model } from '../../src/model/mamba-model.js';
import { folderStore } from '../../src/loading/node-folder-store.js';
import { checkWeightsFit } from '../../src/model/weight-fit.js';
import type { MambaConfig } from '../../src/loading/config.js';
import type { MambaWeights } from '../../src/model/weights.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** The final-normed hidden state after the first k layers, for each k in `layers` (default all). */
async function hiddenPerLayer(model: MambaModel, ids: number[], layers?: number[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const w = model.weights;
  for (const k of layers ?? Array.from({ length: model.config.nLayer }, (_, i) => i + 1)) {
    const weights: MambaWeights = { ...w, layers: w.layers.slice(0, k) };
    const config: MambaConfig = { ...model.config, nLayer: k };
    using idTensor = Tensor.fromArray(model.ctx, ids, [1, ids.length], 'i32');
    using hidden = backbonePrefill(config, weights, idTensor, 1, ids.length);
    out.push(await hidden.read());
  }
  return out;
}

/** Figures of `candidate` against `reference` on `ids`. */
async function quality(reference: MambaModel, candidate: MambaModel, ids: number[], layers?: number[]) {
  const [hr, hc] = [
    await hiddenPerLayer(reference, ids, layers),
    await hiddenPerLayer(candidate, ids, layers),
  ];
  const perLayer = hr.map((h, i) => relativeError(h, hc[i]!));
  const logits = compareLogits(
    await reference.forward([ids]),
    await candidate.forward([ids]),
    reference.config.vocabSize,
  );
  return { perLayer, ...logits };
}

const ids = (n: number, vocab: number, seed: number) =>
  Array.from({ length: n }, (_, i) => (i * 7919 + seed * 104729) % vocab);

// Bounds, about 1.5-2x the figures measured on lavapipe (the closing note of issue 14 has them):
// q8 keeps 7 bits of each weight relative to its block's largest, q4 about 3 (a relative error
// per weight of ~1/15 for uniform weights, compounding over the layers). The random model's
// logits are nearly flat (random weights), so its top-1 agreement is a weak figure: held for q8
// only, reported for q4.
const FIXTURE_BOUNDS = {
  q8: { layerError: 0.02, meanKl: 1e-4, top1: 0.98 },
  q4: { layerError: 0.25, meanKl: 0.02, top1: 0.95 },
} as const;
// falcon-mamba-tiny's random logits have smaller top-1 margins than mamba-tiny's: q4 flips the
// argmax at about a third of the positions (68.8% agreement measured) at a KL like mamba-tiny's.
const FALCON_TINY_BOUNDS = {
  q8: FIXTURE_BOUNDS.q8,
  q4: { ...FIXTURE_BOUNDS.q4, top1: 0.5 },
} as const;
const RANDOM_130M_BOUNDS = {
  q8: { layerError: 0.06, meanKl: 2e-4, top1: 0.8 },
  q4: { layerError: 0.8, meanKl: 0.04, top1: 0 },
} as const;

describe('quantized weights against f32', () => {
  it('mamba-tiny fixture: per-layer error, KL and top-1 within bounds; q8 closer than q4', async () => {
    const ctx = await getGpuContext();
    const f32 = await loadModel(fixture('mamba-tiny'), { ctx, progress: false, dtype: 'f32' });
    const input = ids(64, f32.config.vocabSize, 1);
    const figures: Record<string, Awaited<ReturnType<typeof quality>>> = {};
    for (const dtype of ['q8', 'q4'] as const) {
      using q = await loadModel(fixture('mamba-tiny'), { ctx, progress: false, dtype });
      expect(q.weights.layers[0]!.inProj.dtype).toBe(dtype);
      expect(q.weights.layers[0]!.A.dtype).toBe('f32');
      const f = await quality(f32, q, input);
      figures[dtype] = f;
      console.log(`mamba-tiny ${dtype} vs f32`, JSON.stringify(f));
      const bound = FIXTURE_BOUNDS[dtype];
      expect(Math.max(...f.perLayer), `${dtype} per-layer error ${f.perLayer}`).toBeLessThan(
        bound.layerError,
      );
      expect(f.meanKl, `${dtype} mean KL`).toBeLessThan(bound.meanKl);
      expect(f.top1, `${dtype} top-1`).toBeGreaterThanOrEqual(bound.top1);
      expect(q.weightBytes).toBeLessThan(f32.weightBytes);
    }
    expect(figures.q8!.meanKl).toBeLessThan(figures.q4!.meanKl);
    f32.dispose();
  });

  it('falcon-mamba-tiny fixture (untied LM head, B/C/dt norms): q8 and q4 within the fixture bounds', async () => {
    const ctx = await getGpuContext();
    using f32 = await loadModel(fixture('falcon-mamba-tiny'), { ctx, progress: false, dtype: 'f32' });
    const input = ids(48, f32.config.vocabSize, 4);
    for (const dtype of ['q8', 'q4'] as const) {
      using q = await loadModel(fixture('falcon-mamba-tiny'), { ctx, progress: false, dtype });
      expect(q.weights.lmHead.dtype).toBe(dtype);
      expect(q.weights.lmHead).not.toBe(q.weights.embedding);
      const f = await quality(f32, q, input);
      console.log(`falcon-mamba-tiny ${dtype} vs f32`, JSON.stringify(f));
      const bound = FALCON_TINY_BOUNDS[dtype];
      expect(Math.max(...f.perLayer), `${dtype} per-layer error`).toBeLessThan(bound.layerError);
      expect(f.meanKl, `${dtype} mean KL`).toBeLessThan(bound.meanKl);
      expect(f.top1, `${dtype} top-1`).toBeGreaterThanOrEqual(bound.top1);
    }
  });

  it('greedy decode of a quantized model continues its own prefill exactly', async () => {
    const ctx = await getGpuContext();
    using q = await loadModel(fixture('mamba-tiny'), { ctx, progress: false, dtype: 'q4' });
    const prompt = ids(12, q.config.vocabSize, 3);
    const [generated] = await q.generate([prompt], { maxTokens: 6, temperature: 0 });
    // Each generated id is the argmax of the prefill logits of the prompt plus the ids before it.
    const seq = [...prompt];
    for (const id of generated!) {
      const logits = await q.forward([seq]);
      expect(id).toBe(argmax(logits.subarray((seq.length - 1) * q.config.vocabSize)));
      seq.push(id);
    }
  });

  it('random mamba-130m config: q8 and q4 within bounds, weights 3.5x / 6x smaller', async () => {
    const ctx = await getGpuContext();
    const config = parseMambaConfig({
      hidden_size: 768,
      num_hidden_layers: 24,
      vocab_size: 50280,
      state_size: 16,
      expand: 2,
      conv_kernel: 4,
      time_step_rank: 48,
      use_conv_bias: true,
      tie_word_embeddings: true,
    });
    using f32 = Model.fromWeights(ctx, config, randomWeights(ctx, config, { seed: 5 }));
    const input = ids(16, config.vocabSize, 2);
    for (const dtype of ['q8', 'q4'] as const) {
      using q = Model.fromWeights(
        ctx,
        config,
        randomWeights(ctx, config, { seed: 5, dtype, exactQuantization: true }),
      );
      // Per-layer error after layers 1, 4, 12 and 24 (every prefix would take minutes on lavapipe).
      const f = await quality(f32, q, input, [1, 4, 12, 24]);
      console.log(`mamba-130m (random) ${dtype} vs f32`, JSON.stringify(f));
      const bound = RANDOM_130M_BOUNDS[dtype];
      expect(Math.max(...f.perLayer), `${dtype} per-layer error`).toBeLessThan(bound.layerError);
      expect(f.meanKl).toBeLessThan(bound.meanKl);
      expect(f.top1).toBeGreaterThanOrEqual(bound.top1);
      const ratio = f32.weightBytes / q.weightBytes;
      expect(ratio).toBeGreaterThan(dtype === 'q8' ? 3.4 : 5.8);
    }
  }, 240_000);

  it('a bad dtype or budget is an InvalidArgumentError before any GPU work', async () => {
    await expect(
      loadModel(fixture('mamba-tiny'), { progress: false, dtype: 'int8' as never }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      loadModel(fixture('mamba-tiny'), { progress: false, dtype: 'q8', memoryBudgetBytes: -1 }),
    ).rejects.toThrow(/^loadModel: memoryBudgetBytes must be a positive number/);
  });

  it('a model over the memory budget fails before allocating, naming the dtypes that fit', async () => {
    const ctx = await getGpuContext();
    const before = ctx.pool.stats().liveBuffers;
    const checkpoint = await openCheckpoint(folderStore(fixture('mamba-tiny')), { onWarning: () => {} });
    const f32Bytes = checkWeightsFit('t', ctx, checkpoint.tensors, 'f32', undefined).totalBytes;
    const q4Bytes = checkWeightsFit('t', ctx, checkpoint.tensors, 'q4', undefined).totalBytes;
    await checkpoint.close();
    const budget = Math.floor((f32Bytes + q4Bytes) / 2);
    const error = await loadModel(fixture('mamba-tiny'), {
      ctx,
      progress: false,
      dtype: 'f32',
      memoryBudgetBytes: budget,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelTooLargeError);
    expect((error as ModelTooLargeError).message).toMatch(
      /^loadModel: the weights need .* as f32; that is over the memory budget/,
    );
    expect((error as ModelTooLargeError).fits).toContain('q4');
    expect((error as ModelTooLargeError).fits).not.toContain('f32');
    expect(ctx.pool.stats().liveBuffers).toBe(before);
    using fits = await loadModel(fixture('mamba-tiny'), {
      ctx,
      progress: false,
      dtype: 'q4',
      memoryBudgetBytes: budget,
    });
    expect(fits.weightBytes).toBeLessThanOrEqual(budget);
  });
});
