// The Δ view's numbers are the model's: layer 0's Δ per token from `selectionDelta` (the scan's
// own inputs, caught on the training forward) equals a plain-loop CPU computation from the
// parameters (embedding, RMSNorm, in_proj, causal conv + SiLU, x_proj, dt_proj, softplus, mean
// over channels); its argmax answers equal the library's `predictAnswersTraining`; the LTI
// ablation's Δ is the same at every token. Runs on whatever WebGPU adapter Node finds.

import {
  type MambaConfig,
  MambaParameters,
  ltiParameters,
  predictAnswersTraining,
  taskModelConfig,
} from '@mamba-webgpu/mamba-model';
import { type GpuContext, getGpuContext, softplusRef } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanSoftplus, selectionDelta } from './selection-delta.js';

const config = taskModelConfig({ dModel: 16, nLayer: 2, vocabSize: 16 });
const seqLen = 37;
let ctx: GpuContext;
let ids: Int32Array;

beforeAll(async () => {
  ctx = await getGpuContext();
  console.log(`selection-delta: adapter ${ctx.describe()}`);
  const rng = new SeededRandom(7);
  ids = Int32Array.from({ length: seqLen }, () => Math.floor(rng.uniform(0, config.vocabSize)));
});

/** Layer 0's mean Δ per token, by plain loops over the host copies of the parameters. */
function layerZeroDeltaRef(c: MambaConfig, p: Map<string, Float32Array>, tokens: Int32Array): Float32Array {
  const { dModel, dInner, dConv, dtRank, dState } = c;
  const w = (name: string) => p.get(`backbone.layers.0.${name}`)!;
  const [E, norm, inProj, convW, convB, xProj, dtW, dtB] = [
    p.get('backbone.embeddings.weight')!,
    w('norm.weight'),
    w('mixer.in_proj.weight'),
    w('mixer.conv1d.weight'),
    w('mixer.conv1d.bias'),
    w('mixer.x_proj.weight'),
    w('mixer.dt_proj.weight'),
    w('mixer.dt_proj.bias'),
  ];
  const L = tokens.length;
  const x = new Float64Array(dInner * L); // (dInner, L)
  for (let t = 0; t < L; t++) {
    const h = E.subarray(tokens[t]! * dModel, (tokens[t]! + 1) * dModel);
    const scale = 1 / Math.sqrt(h.reduce((a, v) => a + v * v, 0) / dModel + c.rmsNormEps);
    for (let ch = 0; ch < dInner; ch++) {
      let acc = 0;
      for (let k = 0; k < dModel; k++) acc += inProj[ch * dModel + k]! * h[k]! * scale * norm[k]!;
      x[ch * L + t] = acc;
    }
  }
  const u = new Float64Array(dInner * L);
  for (let ch = 0; ch < dInner; ch++) {
    for (let t = 0; t < L; t++) {
      let acc = convB[ch]!;
      for (let j = 0; j < dConv; j++) {
        const s = t - (dConv - 1) + j;
        if (s >= 0) acc += convW[ch * dConv + j]! * x[ch * L + s]!;
      }
      u[ch * L + t] = acc / (1 + Math.exp(-acc));
    }
  }
  const width = dtRank + 2 * dState;
  const out = new Float32Array(L);
  for (let t = 0; t < L; t++) {
    const dt = Array.from({ length: dtRank }, (_, r) => {
      let acc = 0;
      for (let ch = 0; ch < dInner; ch++) acc += xProj[r * dInner + ch]! * u[ch * L + t]!;
      return acc;
    });
    let sum = 0;
    for (let ch = 0; ch < dInner; ch++) {
      let delta = dtB[ch]!;
      for (let r = 0; r < dtRank; r++) delta += dtW[ch * dtRank + r]! * dt[r]!;
      sum += softplusRef(delta);
    }
    out[t] = sum / dInner;
  }
  expect(xProj.length).toBe(width * dInner);
  return out;
}

/** Scales the projections up so that Δ varies visibly from token to token. */
function sharpen(params: MambaParameters, rng: SeededRandom): void {
  for (const name of ['in_proj.weight', 'x_proj.weight', 'dt_proj.weight']) {
    const t = params.get(`backbone.layers.0.mixer.${name}`);
    t.write(Float32Array.from({ length: t.numel }, () => rng.normal() * 0.5));
  }
}

describe('selectionDelta', () => {
  it("layer 0's Δ per token equals the CPU computation from the parameters", async () => {
    const params = MambaParameters.random(ctx, config, 3);
    sharpen(params, new SeededRandom(11));
    const expected = layerZeroDeltaRef(config, await params.read(), ids);
    const before = ctx.stats().liveBuffers;
    const got = await selectionDelta(params, ids);
    expect(ctx.stats().liveBuffers, 'selectionDelta frees what it made').toBe(before);
    expect(got.meanDelta).toHaveLength(config.nLayer);
    expectAllClose(got.meanDelta[0]!, expected, { rtol: 1e-4, atol: 1e-6, label: 'layer 0 mean Δ' });
    const spread = Math.max(...expected) / Math.min(...expected);
    expect(spread, 'Δ varies across tokens in this test').toBeGreaterThan(1.5);
    expect(got.meanDelta[1]!.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    params.dispose();
  });

  it("answers as the library's training-forward prediction", async () => {
    const params = MambaParameters.random(ctx, config, 4);
    sharpen(params, new SeededRandom(12));
    const got = await selectionDelta(params, ids);
    const answers = await predictAnswersTraining(params, ids, 1, seqLen, 5);
    expect(Array.from(got.predicted.slice(seqLen - 5))).toEqual(Array.from(answers));
    params.dispose();
  });

  it("the LTI ablation's Δ is softplus(dt_proj.bias), the same at every token", async () => {
    const params = ltiParameters(ctx, config, 5);
    const got = await selectionDelta(params, ids);
    for (let layer = 0; layer < config.nLayer; layer++) {
      const bias = await params.get(`backbone.layers.${layer}.mixer.dt_proj.bias`).read();
      const constant = bias.reduce((a, b) => a + softplusRef(b), 0) / bias.length;
      expectAllClose(got.meanDelta[layer]!, new Float32Array(seqLen).fill(constant), {
        rtol: 1e-5,
        atol: 1e-7,
        label: `LTI layer ${layer} Δ`,
      });
    }
    params.dispose();
  });
});

describe('meanSoftplus', () => {
  it('averages softplus(delta + bias) over the channels of each token', () => {
    const delta = Float32Array.of(0, 1, 25, -30); // (2 channels, 2 tokens)
    const bias = Float32Array.of(0.5, -5);
    const expected = [(softplusRef(0.5) + 20) / 2, (softplusRef(1.5) + softplusRef(-35)) / 2];
    expectAllClose(meanSoftplus(delta, bias, 2), Float32Array.from(expected), { rtol: 1e-6 });
    expect(() => meanSoftplus(delta, bias, 3)).toThrow('(2, 3), got 4 values');
  });
});
