// The LTI ablation's training forward: the gradients of its broadcast parameters (B and C, summed
// over batch and time) and of Δ's bias match central differences of the loss, its parameter set
// is Mamba's without x_proj and dt_proj, and the Trainer steps it with answer-only targets.

import { IGNORE_INDEX, type GpuContext, Tape, Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskModelConfig } from '../../tasks/config.js';
import { Trainer } from '../trainer.js';
import { languageModelLoss } from './loss.js';
import { isLtiParameters, ltiParameterNames, ltiParameterSpec, ltiParameters } from './lti.js';
import type { MambaParameters } from './parameters.js';

const config = taskModelConfig({ dModel: 8, nLayer: 2, dState: 4 });
const [batch, seqLen] = [2, 19];
let ctx: GpuContext;
let ids: Int32Array;

beforeAll(async () => {
  ctx = await getGpuContext();
  const rng = new SeededRandom(8);
  ids = Int32Array.from({ length: batch * seqLen }, () => Math.floor(rng.uniform(0, config.vocabSize)));
});

async function loss(
  params: MambaParameters,
  grads?: string[],
): Promise<{ value: number; grads: Float32Array[] }> {
  using idTensor = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
  const tape = new Tape();
  try {
    const l = languageModelLoss(
      tape,
      config,
      params,
      { ids: idTensor, hostIds: ids, batch, seqLen },
      { selective: false },
    );
    const [value] = await l.read();
    if (!grads) return { value: value!, grads: [] };
    using one = Tensor.fromArray(ctx, [1], [1], 'f32');
    tape.backward([[l, one]]);
    const taken = tape.grads(grads.map((n) => params.get(n)));
    const out = (await Promise.all(taken.map((g) => g!.read()))) as Float32Array[];
    for (const g of taken) g?.dispose();
    return { value: value!, grads: out };
  } finally {
    tape.dispose();
  }
}

describe('LTI ablation (selective: false)', () => {
  it("has Mamba's parameters without x_proj and dt_proj, plus B and C (dState) per layer", () => {
    const names = ltiParameterSpec(config).map((e) => e.name);
    expect(names.some((n) => n.includes('x_proj') || n.includes('dt_proj.weight'))).toBe(false);
    expect(names).toContain(ltiParameterNames(1).C);
    const params = ltiParameters(ctx, config, 0);
    expect(isLtiParameters(params)).toBe(true);
    expect(params.names()).toEqual(names);
    expect(params.get(ltiParameterNames(0).B).shape).toEqual([config.dState]);
    params.dispose();
  });

  it('gradients of B, C (broadcast over batch and time) and the Δ bias match central differences', async () => {
    const params = ltiParameters(ctx, config, 3);
    // Larger projections than the initialisation's, so the loss feels B, C and Δ.
    const rng = new SeededRandom(4);
    for (const name of params.names()) {
      if (!/(embeddings|in_proj|out_proj)\.weight$/.test(name)) continue;
      const t = params.get(name);
      t.write(Float32Array.from({ length: t.numel }, () => 0.5 * rng.normal()));
    }
    const { B, C } = ltiParameterNames(1);
    const dtBias = 'backbone.layers.0.mixer.dt_proj.bias';
    const names = [B, C, ltiParameterNames(0).C, dtBias];
    const analytic = await loss(params, names);
    const eps = 3e-3;
    for (const [k, name] of names.entries()) {
      const t = params.get(name);
      const base = await t.read();
      const count = name === dtBias ? 4 : base.length;
      for (let i = 0; i < count; i++) {
        const at = (delta: number) => {
          const v = Float32Array.from(base);
          v[i] = v[i]! + delta;
          t.write(v);
          return loss(params);
        };
        const numeric = ((await at(eps)).value - (await at(-eps)).value) / (2 * eps);
        t.write(base);
        const got = analytic.grads[k]![i]!;
        expect(Math.abs(got - numeric), `d loss / d ${name}[${i}]: ${got} vs ${numeric}`).toBeLessThan(
          2e-4 + 3e-2 * Math.abs(numeric),
        );
      }
    }
    params.dispose();
  });

  it('the Trainer steps it with answer-only targets; every parameter gets a gradient', async () => {
    const params = ltiParameters(ctx, config, 1);
    const trainer = new Trainer(params, { lr: 1e-3, selective: false });
    const targets = new Int32Array(batch * seqLen).fill(IGNORE_INDEX);
    targets[seqLen - 1] = 3;
    targets[2 * seqLen - 1] = 5;
    const before = await params.get(ltiParameterNames(0).B).read();
    const r = await trainer.step({ ids, targets, batch, seqLen });
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(await params.get(ltiParameterNames(0).B).read()).not.toEqual(before);
    await expect(trainer.step({ ids, targets: targets.subarray(1), batch, seqLen })).rejects.toThrow(
      /Trainer.step: targets must hold one entry per id \(38\), got 37/,
    );
    await expect(
      trainer.step({ ids, targets: new Int32Array(38).fill(IGNORE_INDEX), batch, seqLen }),
    ).rejects.toThrow(/targets are all IGNORE_INDEX/);
    trainer.dispose();
    params.dispose();
  });
});
