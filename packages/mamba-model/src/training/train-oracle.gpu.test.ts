// Oracle tests against torch (the mamba-tiny training fixture): the GPU global norm of the
// first-step gradients equals torch's grad_norms[0]; one clipped AdamW step from the checkpoint
// with the fixture's settings matches the float64 reference; a resumed run (2 steps, save the
// checkpoint and optimizer.safetensors, load both, 2 steps) equals 4 straight steps bit for bit.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpuContext, type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitwiseEqual, disposeMap, readAll } from '../../test/training/helpers.js';
import {
  type HostTensor,
  readTinyParams,
  readTrainOracle,
  type TrainOracle,
} from '../../test/training/train-fixture.js';
import { loadOptimizerState, saveCheckpoint } from './checkpoint/node-checkpoint.js';
import { clipGradNorm, gradNorm } from './grad-norm/grad-norm.js';
import { clipGradNormRef } from './grad-norm/grad-norm-ref.js';
import { AdamW } from './optimizer/adamw.js';
import { AdamWRef } from './optimizer/adamw-ref.js';
import { cosineSchedule } from './schedule/lr-schedule.js';

let oracle: TrainOracle;
let tiny: Awaited<ReturnType<typeof readTinyParams>>;
let root: string;
beforeAll(async () => {
  oracle = await readTrainOracle();
  tiny = await readTinyParams();
  root = await mkdtemp(join(tmpdir(), 'mamba-resume-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const settings = () => ({
  lr: Number(oracle.metadata.lr),
  betas: oracle.metadata.betas!.split(',').map(Number) as [number, number],
  eps: Number(oracle.metadata.eps),
  weightDecay: Number(oracle.metadata.weight_decay),
  noDecay: oracle.metadata.no_decay_substrings!.split(','),
});

function uploadHost(ctx: GpuContext, host: Map<string, HostTensor>): Map<string, Tensor<'f32'>> {
  return new Map([...host].map(([name, t]) => [name, Tensor.fromArray(ctx, t.data, t.shape, 'f32', name)]));
}

describe('training oracle (mamba-tiny, torch.optim.AdamW)', () => {
  it('the fixture matches our checkpoint and states its settings', () => {
    expect([...oracle.grads.keys()].sort()).toEqual([...tiny.params.keys()].sort());
    expect(settings()).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.95],
      eps: 1e-8,
      weightDecay: 0.1,
      noDecay: ['A_log', '.D', 'bias', 'norm'],
    });
    expect(Number(oracle.metadata.clip_grad_norm)).toBe(1);
  });

  it("the GPU global norm of the first-step gradients equals torch's grad_norms[0] (1e-5 relative)", async () => {
    const ctx = await getGpuContext();
    const grads = uploadHost(ctx, oracle.grads);
    using norm = gradNorm(grads);
    const { norm: got } = await norm.read();
    expect(Math.abs(got - oracle.gradNorms[0]!) / oracle.gradNorms[0]!).toBeLessThan(1e-5);
    disposeMap(grads);
  });

  it('one clipped AdamW step from the checkpoint matches the float64 reference', async () => {
    const ctx = await getGpuContext();
    const params = uploadHost(ctx, tiny.params);
    const grads = uploadHost(ctx, oracle.grads);
    using optimizer = new AdamW(params, settings());
    using norm = clipGradNorm(grads, 1);
    optimizer.step(grads);
    const got = await readAll(params);

    const refParams = new Map([...tiny.params].map(([name, t]) => [name, Float64Array.from(t.data)]));
    const refGrads = [...oracle.grads].map(([name, t]) => [name, Float64Array.from(t.data)] as const);
    const clip = clipGradNormRef(
      refGrads.map(([, g]) => g),
      1,
    );
    new AdamWRef(refParams, settings()).step(new Map(refGrads));
    const { norm: gpuNorm, scale } = await norm.read();
    expect(Math.abs(gpuNorm - clip.norm) / clip.norm).toBeLessThan(1e-5);
    expect(Math.abs(scale - clip.scale) / clip.scale).toBeLessThan(1e-5);
    for (const [name, p] of got) {
      expectAllClose(p, refParams.get(name)!, { rtol: 1e-6, atol: 1e-7, label: name });
      // Every element moved by about lr (Adam's first step is lr * sign(g) unless |g| ~ eps).
      const before = tiny.params.get(name)!.data;
      const moved = p.reduce((n, x, i) => n + (x !== before[i] ? 1 : 0), 0);
      expect(moved).toBeGreaterThan(0.99 * p.length);
    }
    disposeMap(params);
    disposeMap(grads);
  });

  it('resume: 2 steps, save checkpoint + optimizer state, load, 2 steps == 4 steps, bit for bit', async () => {
    const ctx = await getGpuContext();
    const schedule = cosineSchedule({ lr: 1e-3, warmupSteps: 1, totalSteps: 4, minLr: 1e-4 });
    const grads = uploadHost(ctx, oracle.grads);
    const run = (params: Map<string, Tensor<'f32'>>, optimizer: AdamW, from: number, to: number) => {
      for (let step = from; step < to; step++) {
        using norm = clipGradNorm(grads, 1, { inPlace: false });
        optimizer.step(grads, { lr: schedule(step), gradScale: norm });
      }
      return readAll(params);
    };
    const straightParams = uploadHost(ctx, tiny.params);
    using straightOptimizer = new AdamW(straightParams, settings());
    const straight = await run(straightParams, straightOptimizer, 0, 4);

    const firstParams = uploadHost(ctx, tiny.params);
    const first = new AdamW(firstParams, settings());
    await run(firstParams, first, 0, 2);
    const dir = join(root, 'step-2');
    await saveCheckpoint(dir, tiny.config, firstParams, { optimizer: first });
    first.dispose();
    disposeMap(firstParams);

    const resumed = await readTinyParams(dir);
    const resumedParams = uploadHost(ctx, resumed.params);
    using second = new AdamW(resumedParams, settings());
    const state = await loadOptimizerState(dir, second);
    expect(state.step).toBe(2);
    expect(second.stepCount).toBe(2);
    const result = await run(resumedParams, second, 2, 4);
    expect(bitwiseEqual(result, straight)).toBe(true);
    expect(bitwiseEqual(result, new Map([...tiny.params].map(([n, t]) => [n, t.data])))).toBe(false);
    for (const m of [straightParams, resumedParams, grads]) disposeMap(m);
  });
});
