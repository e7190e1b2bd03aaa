// The training forward and backward of the whole model against PyTorch autograd: mamba-tiny's
// first-step loss and the gradient of every parameter (train_expected.safetensors, made in
// float64 by the fixture generator), and buffer hygiene across steps.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Tape, Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToFloat32, decodeToInt32, readAllTensors } from '../../src/index.js';
import { openLocalCheckpoint } from '../../src/loading/node-folder-store.js';
import { languageModelLoss } from '../../src/training/model/loss.js';
import { MambaParameters } from '../../src/training/model/parameters.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let params: MambaParameters;
let expected: Map<string, { values: Float32Array; shape: readonly number[] }>;
let ids: Int32Array;

beforeAll(async () => {
  const ctx = await getGpuContext();
  const checkpoint = await openLocalCheckpoint(fixture('mamba-tiny'));
  params = await MambaParameters.fromCheckpoint(ctx, checkpoint);
  await checkpoint.close();
  const bytes = new Uint8Array(await readFile(`${fixture('train/mamba-tiny')}/train_expected.safetensors`));
  const tensors = await readAllTensors(bytesSource(bytes, 'train_expected.safetensors'));
  expected = new Map();
  for (const [name, t] of tensors) {
    if (name === 'input_ids') ids = decodeToInt32(t);
    else expected.set(name, { values: decodeToFloat32(t), shape: t.shape });
  }
});

afterAll(() => params?.dispose());

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

describe('mamba-tiny training step vs PyTorch autograd (float64)', () => {
  it('loss and every parameter gradient of the first step', async () => {
    const ctx = await getGpuContext();
    const [batch, seqLen] = [2, 37];
    const idsGpu = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
    const tape = new Tape();
    const loss = languageModelLoss(tape, params.config, params, { ids: idsGpu, hostIds: ids, batch, seqLen });
    const [lossValue] = await loss.read();
    expect(lossValue).toBeCloseTo(expected.get('losses')!.values[0]!, 4);
    const one = Tensor.fromArray(ctx, [1], [1], 'f32');
    tape.backward([[loss, one]]);
    const names = params.names();
    const grads = tape.grads(names.map((n) => params.get(n)));
    let totalSquares = 0;
    for (let i = 0; i < names.length; i++) {
      const want = expected.get(`grad.${names[i]}`)!;
      expect(want, names[i]).toBeDefined();
      const got = await grads[i]!.read();
      let diff = 0;
      for (let k = 0; k < got.length; k++) diff += (got[k]! - want.values[k]!) ** 2;
      const rel = Math.sqrt(diff) / Math.max(norm(want.values), 1e-30);
      expect(rel, `${names[i]}: |grad - expected| / |expected|`).toBeLessThan(1e-4);
      totalSquares += norm(got) ** 2;
    }
    expect(Math.sqrt(totalSquares)).toBeCloseTo(expected.get('grad_norms')!.values[0]!, 4);
    for (const g of grads) g?.dispose();
    tape.dispose();
    one.dispose();
    idsGpu.dispose();
    await ctx.checkErrors();
  });

  it('frees everything the step allocated', async () => {
    const ctx = await getGpuContext();
    const [batch, seqLen] = [2, 37];
    const before = ctx.stats().liveBuffers;
    for (let step = 0; step < 3; step++) {
      const idsGpu = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
      const tape = new Tape();
      const loss = languageModelLoss(tape, params.config, params, { ids: idsGpu, hostIds: ids, batch, seqLen });
      const one = Tensor.fromArray(ctx, [1], [1], 'f32');
      tape.backward([[loss, one]]);
      for (const g of tape.grads(params.names().map((n) => params.get(n)))) g?.dispose();
      tape.dispose();
      one.dispose();
      idsGpu.dispose();
      expect(ctx.stats().liveBuffers, `after step ${step}`).toBe(before);
    }
  });
});
