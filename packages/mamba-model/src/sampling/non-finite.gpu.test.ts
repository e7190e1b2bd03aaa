// NaN and +-Inf logits: the GPU sampler never returns an id outside the vocabulary (NaN/Inf are
// never chosen; no finite logit gives id 0), matches the CPU reference, records each row's first
// bad step, and generate/stream surface a NonFiniteLogitsError instead of returning garbage ids.
import { getGpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { parseMambaConfig } from '../loading/config.js';
import { MambaModel } from '../model/mamba-model.js';
import { randomWeights } from '../model/random-weights.js';
import { createEngine } from '../serving/engine.js';
import { NonFiniteLogitsError } from './errors.js';
import { resolveSampling, type SamplingOptions } from './options.js';
import { nonFiniteKindsRef, sampleRef } from './sample-ref.js';
import { GpuSampler } from './sampler.js';

const VOCAB = 300;
const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** Step-1 rows: NaN at the would-be argmax, one +Inf, all NaN, all -Inf, some -Inf (not flagged). */
function badRows(rng: SeededRandom): Float32Array[] {
  const finite = () => rng.array(VOCAB, () => rng.normal() * 3);
  const nanAtMax = finite();
  nanAtMax[17] = 50;
  nanAtMax[17] = NAN;
  nanAtMax[200] = NAN;
  const posInf = finite();
  posInf[7] = INF;
  const someNegInf = finite();
  for (let i = 0; i < VOCAB; i += 3) someNegInf[i] = -INF;
  return [
    nanAtMax,
    posInf,
    new Float32Array(VOCAB).fill(NAN),
    new Float32Array(VOCAB).fill(-INF),
    someNegInf,
  ];
}

const SETTINGS: [string, SamplingOptions][] = [
  ['greedy', {}],
  ['greedy + repetition penalty', { repetitionPenalty: 1.5 }],
  ['temperature, top-k, top-p', { temperature: 0.9, topK: 20, topP: 0.9, seed: 3 }],
  ['min-p', { temperature: 1.2, minP: 0.05, seed: 4 }],
];

describe('GpuSampler with non-finite logits', () => {
  it.each(SETTINGS)(
    '%s: in-vocabulary ids equal to the reference, bad rows flagged',
    async (_name, options) => {
      const ctx = await getGpuContext();
      const resolved = resolveSampling('test', options);
      const rng = new SeededRandom(41);
      const rows = badRows(rng);
      const batch = rows.length;
      const sampler = new GpuSampler(ctx, batch, VOCAB);
      sampler.reset(resolved, []);
      const seen = rows.map(() => new Set<number>());
      const expected: number[][] = rows.map(() => []);
      const steps = [rows.map(() => rng.array(VOCAB, () => rng.normal() * 3)), rows];
      const tensors: Tensor[] = [];
      steps.forEach((stepRows, step) => {
        const host = new Float32Array(batch * VOCAB);
        stepRows.forEach((row, r) => {
          host.set(row, r * VOCAB);
        });
        const logits = Tensor.fromArray(ctx, host, [batch, VOCAB], 'f32');
        tensors.push(logits);
        sampler.sample(logits);
        stepRows.forEach((row, r) => {
          const id = sampleRef(row, seen[r]!, resolved, step, r);
          expected[r]!.push(id);
          seen[r]!.add(id);
        });
      });
      const [got, status] = await Promise.all([sampler.readTokens(0, 2), sampler.readStatus()]);
      await ctx.checkErrors();
      for (const id of got.flat()) expect(id >= 0 && id < VOCAB, `id ${id}`).toBe(true);
      expect(got).toEqual(expected);
      expect(got[2]![1]).toBe(0); // all NaN
      expect(got[3]![1]).toBe(0); // all -Inf
      expect(got[0]![1]).not.toBe(17);
      expect(got[1]![1]).not.toBe(7);
      expect(status).toEqual([
        { row: 0, step: 1, nan: true, positiveInfinity: false, noneFinite: false },
        { row: 1, step: 1, nan: false, positiveInfinity: true, noneFinite: false },
        { row: 2, step: 1, nan: true, positiveInfinity: false, noneFinite: true },
        { row: 3, step: 1, nan: false, positiveInfinity: false, noneFinite: true },
      ]);
      expect(rows.map(nonFiniteKindsRef)).toEqual([1, 2, 5, 4, 0]);
      for (const t of tensors) t.dispose();
      sampler.dispose();
    },
  );
});

describe('generate and stream with a model that computes NaN', () => {
  const config = parseMambaConfig({
    model_type: 'mamba',
    hidden_size: 32,
    state_size: 4,
    num_hidden_layers: 1,
    vocab_size: 64,
    expand: 2,
    conv_kernel: 4,
    time_step_rank: 4,
    eos_token_id: 0,
  });

  it('all logits NaN (a NaN norm weight): NonFiniteLogitsError at step 0, no ids', async () => {
    const ctx = await getGpuContext();
    using model = MambaModel.fromWeights(ctx, config, randomWeights(ctx, config, { seed: 2 }));
    model.weights.normF.write(new Float32Array(config.dModel).fill(NAN));
    const error = await model.generate([[1, 2, 3]], { maxTokens: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLogitsError);
    const typed = error as NonFiniteLogitsError;
    expect(typed.message).toMatch(
      /^MambaModel\.generate: the logits of row 0 at step 0 must be finite, got NaN, no finite value/,
    );
    expect(typed.detail).toMatchObject({ row: 0, step: 0, nan: true, noneFinite: true });
    const streamed: number[] = [];
    const streamError = await (async () => {
      for await (const chunk of model.stream([1, 2, 3], { maxTokens: 4 })) streamed.push(chunk.id);
    })().catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(NonFiniteLogitsError);
    expect(streamed).toEqual([]);
  });

  it('one NaN row of the LM head: only that token is excluded, the error names NaN', async () => {
    const ctx = await getGpuContext();
    using model = MambaModel.fromWeights(ctx, config, randomWeights(ctx, config, { seed: 3 }));
    const lmHead = new Float32Array(await model.weights.lmHead.read());
    lmHead.fill(NAN, 9 * config.dModel, 10 * config.dModel); // token 9 (not in the prompt)
    model.weights.lmHead.write(lmHead);
    const error = await model
      .generate([[1, 2, 3]], { maxTokens: 2, temperature: 1, seed: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLogitsError);
    expect((error as NonFiniteLogitsError).detail).toMatchObject({ step: 0, nan: true, noneFinite: false });
  });

  it('the serving engine fails the request with NonFiniteLogitsError', async () => {
    const ctx = await getGpuContext();
    using model = MambaModel.fromWeights(ctx, config, randomWeights(ctx, config, { seed: 4 }));
    model.weights.normF.write(new Float32Array(config.dModel).fill(NAN));
    const engine = createEngine(model, { slots: 2, queue: 2 });
    try {
      const error = await engine.completions
        .create({ prompt: [1, 2, 3], max_tokens: 3, return_token_ids: true, stream: false })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteLogitsError);
      expect((error as Error).message).toMatch(
        /^ContinuousBatcher: the logits of row 0 at step 0 must be finite/,
      );
    } finally {
      await engine.close({ cancel: true });
    }
  });
});
