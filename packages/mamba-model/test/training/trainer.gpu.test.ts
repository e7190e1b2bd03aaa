// The Trainer end to end on mamba-tiny: three clipped AdamW steps reproduce PyTorch's parameters
// (train_expected.safetensors `after.*`), losses and gradient norms; runs are bitwise
// deterministic; a tiny batch overfits; bad input is refused before any GPU work; buffers stay
// flat across many steps.

import { type GpuContext, getGpuContext } from '@mamba-webgpu/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLocalCheckpoint } from '../../src/loading/node-folder-store.js';
import { MambaParameters } from '../../src/training/model/parameters.js';
import { Trainer } from '../../src/training/trainer.js';
import { fixturePath } from '../loading/helpers.js';
import { readTrainOracle, type TrainOracle } from './train-fixture.js';

let ctx: GpuContext;
let oracle: TrainOracle;
let ids: Int32Array;

async function tinyParams(): Promise<MambaParameters> {
  const checkpoint = await openLocalCheckpoint(fixturePath('mamba-tiny'));
  try {
    return await MambaParameters.fromCheckpoint(ctx, checkpoint);
  } finally {
    await checkpoint.close();
  }
}

const ORACLE_OPTIONS = { lr: 1e-3, betas: [0.9, 0.95] as const, eps: 1e-8, weightDecay: 0.1, clip: 1.0 };

beforeAll(async () => {
  ctx = await getGpuContext();
  oracle = await readTrainOracle();
  const { readAllTensors, bytesSource, decodeToInt32 } = await import('../../src/index.js');
  const { fixtureBytes } = await import('../loading/helpers.js');
  const tensors = await readAllTensors(bytesSource(fixtureBytes('train/mamba-tiny/train_expected.safetensors')));
  ids = decodeToInt32(tensors.get('input_ids')!);
});

describe('Trainer on mamba-tiny', () => {
  it('three AdamW steps reproduce PyTorch: losses, gradient norms, every parameter', async () => {
    const params = await tinyParams();
    const trainer = new Trainer(params, ORACLE_OPTIONS);
    for (let s = 0; s < 3; s++) {
      const r = await trainer.step({ ids, batch: 2, seqLen: 37 });
      expect(r.loss, `loss of step ${s + 1}`).toBeCloseTo(oracle.losses[s]!, 4);
      expect(Math.abs(r.gradNorm - oracle.gradNorms[s]!) / oracle.gradNorms[s]!, `grad norm of step ${s + 1}`).toBeLessThan(1e-4);
    }
    let total = 0;
    let within = 0;
    let worst = 0;
    for (const [name, want] of oracle.after) {
      const got = await params.get(name).read();
      expect(got.length, name).toBe(want.data.length);
      for (let i = 0; i < got.length; i++) {
        const diff = Math.abs(got[i]! - want.data[i]!);
        worst = Math.max(worst, diff);
        if (diff <= 1e-4) within++;
        total++;
      }
    }
    expect(within / total, `fraction within 1e-4 (worst ${worst})`).toBeGreaterThanOrEqual(0.999);
    expect(worst).toBeLessThanOrEqual(3e-3);
    trainer.dispose();
    params.dispose();
  });

  it('is deterministic: two runs of 20 steps give bitwise identical weights', async () => {
    const run = async () => {
      const params = await tinyParams();
      const trainer = new Trainer(params, ORACLE_OPTIONS);
      for (let s = 0; s < 20; s++) await trainer.step({ ids, batch: 2, seqLen: 37 });
      const out = await params.read();
      trainer.dispose();
      params.dispose();
      return out;
    };
    const a = await run();
    const b = await run();
    for (const [name, values] of a) {
      expect(Buffer.from(values.buffer).equals(Buffer.from(b.get(name)!.buffer)), name).toBe(true);
    }
  });

  it('overfits one tiny batch below a loss of 0.05, with buffers flat across steps', async () => {
    const params = MambaParameters.random(ctx, (await tinyParams().then((p) => { p.dispose(); return p.config; })), 3);
    const trainer = new Trainer(params, { lr: 3e-3, weightDecay: 0, clip: 1.0 });
    const batch = { ids: ids.subarray(0, 37), batch: 1, seqLen: 37 };
    await trainer.step(batch);
    const live = ctx.stats().liveBuffers;
    let last = Infinity;
    for (let s = 0; s < 300 && last >= 0.05; s++) {
      last = (await trainer.step(batch)).loss;
      expect(ctx.stats().liveBuffers, `live buffers at step ${s}`).toBe(live);
    }
    expect(last).toBeLessThan(0.05);
    trainer.dispose();
    params.dispose();
  }, 300_000);

  it('refuses bad input with typed errors before any GPU work', async () => {
    const params = await tinyParams();
    expect(() => new Trainer(params, { lr: Number.NaN })).toThrow(/lr must be a finite number/);
    expect(() => new Trainer(params, { clip: -1 })).toThrow(/clip must be/);
    const trainer = new Trainer(params, ORACLE_OPTIONS);
    const dispatches = ctx.dispatchCount;
    await expect(trainer.step({ ids: Int32Array.from([1, 99999]), batch: 1, seqLen: 2 })).rejects.toThrow(/outside the vocabulary/);
    await expect(trainer.step({ ids: new Int32Array(0), batch: 0, seqLen: 0 })).rejects.toThrow(/batch >= 1, seqLen >= 2/);
    await expect(trainer.step([])).rejects.toThrow(/expected 1 micro-batches/);
    expect(ctx.dispatchCount).toBe(dispatches);
    trainer.dispose();
    params.dispose();
  });
});
