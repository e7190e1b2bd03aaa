// The two evaluation paths agree: the training forward without gradients equals the inference
// forward on the same parameters (inferenceWeights), the chunked prefill carrying conv and ssm
// states between chunks equals the one-shot prefill at every chunk length, and the chunked
// predictor's memory does not grow with the sequence length.

import { type GpuContext, Tape, Tensor, getGpuContext, zeros } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LayerState, backbonePrefill } from '../model/forward.js';
import { disposeWeights } from '../model/weights.js';
import { languageModelHidden } from '../training/model/loss.js';
import { ltiParameters } from '../training/model/lti.js';
import { MambaParameters } from '../training/model/parameters.js';
import { taskModelConfig } from './config.js';
import { InductionHeads } from './induction-heads.js';
import { inferenceWeights } from './inference-weights.js';
import { ChunkedPredictor, predictAnswersTraining } from './predict.js';
import { TaskStream } from './task.js';

const config = taskModelConfig({ dModel: 16, nLayer: 2 });
const [batch, seqLen] = [3, 45];
const TOL = { rtol: 1e-4, atol: 2e-5 };
let ctx: GpuContext;
let ids: Int32Array;

beforeAll(async () => {
  ctx = await getGpuContext();
  const rng = new SeededRandom(3);
  ids = Int32Array.from({ length: batch * seqLen }, () => Math.floor(rng.uniform(0, config.vocabSize)));
});

/** One-shot inference hidden states (batch * seqLen, dModel) of `params`. */
async function oneShot(params: MambaParameters): Promise<Float32Array> {
  const weights = inferenceWeights(params);
  using idTensor = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
  using hidden = backbonePrefill(config, weights, idTensor, batch, seqLen);
  const out = await hidden.read();
  disposeWeights(weights);
  return out;
}

describe('evaluation paths', () => {
  it('the training forward without gradients equals the inference forward', async () => {
    const params = MambaParameters.random(ctx, config, 1);
    const expected = await oneShot(params);
    using idTensor = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
    const before = ctx.stats().liveBuffers;
    const tape = new Tape();
    const hidden = languageModelHidden(tape, config, params, { ids: idTensor, hostIds: ids, batch, seqLen });
    expect(tape.size, 'nothing recorded without parameters').toBe(0);
    expectAllClose(await hidden.read(), expected, { ...TOL, label: 'training-path hidden' });
    tape.dispose();
    expect(ctx.stats().liveBuffers).toBe(before);
    params.dispose();
  });

  for (const chunkLen of [1, 7, 16, 45]) {
    it(`chunked prefill (chunks of ${chunkLen}) carries the conv and ssm states: equals one shot`, async () => {
      const params = MambaParameters.random(ctx, config, 2);
      const expected = await oneShot(params);
      const weights = inferenceWeights(params);
      const { dInner, dConv, dState } = config;
      const set = (): LayerState[] =>
        Array.from({ length: config.nLayer }, () => ({
          conv: zeros(ctx, [batch, dInner, dConv], 'f32'),
          ssm: zeros(ctx, [batch, dInner, dState], 'f32'),
        }));
      const sets = [set(), set()];
      const got = new Float32Array(expected.length);
      const dModel = config.dModel;
      for (let c = 0, start = 0; start < seqLen; c++, start += chunkLen) {
        const len = Math.min(chunkLen, seqLen - start);
        const chunk = new Int32Array(batch * len);
        for (let b = 0; b < batch; b++)
          chunk.set(ids.subarray(b * seqLen + start, b * seqLen + start + len), b * len);
        using idTensor = Tensor.fromArray(ctx, chunk, [batch, len], 'i32');
        using hidden = backbonePrefill(
          config,
          weights,
          idTensor,
          batch,
          len,
          sets[c % 2],
          c === 0 ? undefined : sets[(c + 1) % 2],
        );
        const h = await hidden.read();
        for (let b = 0; b < batch; b++)
          got.set(h.subarray(b * len * dModel, (b + 1) * len * dModel), (b * seqLen + start) * dModel);
      }
      expectAllClose(got, expected, { ...TOL, label: `chunked hidden, chunks of ${chunkLen}` });
      for (const s of sets.flat()) {
        s.conv.dispose();
        s.ssm.dispose();
      }
      disposeWeights(weights);
      params.dispose();
    });
  }

  it('the chunked predictor answers as the training forward does', async () => {
    const params = MambaParameters.random(ctx, config, 4);
    const task = new InductionHeads({ seqLen: 200 });
    const viaTape = await predictAnswersTraining(params, new TaskStream(task, 1, 0, 6).next(200), 6, 200, 1);
    using predictor = new ChunkedPredictor(params);
    const viaChunks = await predictor.predict(new TaskStream(task, 1, 0, 6), { chunkLen: 64 });
    expect(Array.from(viaChunks)).toEqual(Array.from(viaTape));
    params.dispose();
  });

  it("the chunked predictor's memory does not grow with the length", async () => {
    const params = MambaParameters.random(ctx, config, 5);
    using predictor = new ChunkedPredictor(params);
    const peak = async (length: number) => {
      await ctx.sync();
      ctx.pool.resetPeak();
      await predictor.predict(new TaskStream(new InductionHeads({ seqLen: length }), 1, 0, 2), {
        chunkLen: 512,
      });
      return ctx.stats().peakLiveBytes;
    };
    await peak(1024); // warm the state sets
    const short = await peak(1024);
    const long = await peak(8192);
    expect(long, `peak live bytes at L 8192 (${long}) vs 1024 (${short})`).toBeLessThanOrEqual(short);
    params.dispose();
  });

  it('refuses the LTI ablation with a typed error naming the training path', () => {
    const params = ltiParameters(ctx, config, 0);
    expect(() => new ChunkedPredictor(params)).toThrow(
      /inferenceWeights: the LTI ablation has no inference path.*predictAnswersTraining/,
    );
    params.dispose();
  });
});
