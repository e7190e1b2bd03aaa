// The training forward and backward of FalconMamba (weightless RMSNorms on dt, B and C) on the
// falcon-mamba-tiny fixture: the training forward's logits and loss against Hugging Face's logits,
// each checked gradient against central differences of the GPU loss along it, the same
// gradients with layers recomputed (activation checkpointing), and the LTI block refused.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Tape, Tensor, getGpuContext, matmul } from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToFloat32, decodeToInt32, readAllTensors } from '../../src/index.js';
import { openLocalCheckpoint } from '../../src/loading/node-folder-store.js';
import { type TokenBatch, languageModelHidden, languageModelLoss } from '../../src/training/model/loss.js';
import { MambaParameters } from '../../src/training/model/parameters.js';

const folder = fileURLToPath(new URL('../fixtures/falcon-mamba-tiny', import.meta.url));
const [batch, seqLen] = [2, 29];

let params: MambaParameters;
let ids: Int32Array;
let logits: Float32Array;

beforeAll(async () => {
  const ctx = await getGpuContext();
  const checkpoint = await openLocalCheckpoint(folder);
  params = await MambaParameters.fromCheckpoint(ctx, checkpoint);
  await checkpoint.close();
  const bytes = new Uint8Array(await readFile(`${folder}/expected.safetensors`));
  const tensors = await readAllTensors(bytesSource(bytes, 'expected.safetensors'));
  ids = decodeToInt32(tensors.get('input_ids')!);
  logits = decodeToFloat32(tensors.get('logits')!);
});

afterAll(() => params?.dispose());

/** Runs `fn` on the fixture's ids as a TokenBatch, freeing the ids tensor after. */
async function withBatch<T>(fn: (data: TokenBatch) => Promise<T>): Promise<T> {
  const ctx = await getGpuContext();
  using idsGpu = Tensor.fromArray(ctx, ids, [batch, seqLen], 'i32');
  return fn({ ids: idsGpu, hostIds: ids, batch, seqLen });
}

/** The loss at the current parameters, no gradient. */
function lossValue(): Promise<number> {
  return withBatch(async (data) => {
    const tape = new Tape();
    const loss = languageModelLoss(tape, params.config, params, data);
    const [value] = await loss.read();
    tape.dispose();
    return value!;
  });
}

/** The first-step gradients of the named parameters (host copies). */
function gradients(names: readonly string[], checkpointLayers: boolean): Promise<Float32Array[]> {
  return withBatch(async (data) => {
    const ctx = data.ids.ctx;
    const tape = new Tape();
    const loss = languageModelLoss(tape, params.config, params, data, { checkpointLayers });
    using one = Tensor.fromArray(ctx, [1], [1], 'f32');
    tape.backward([[loss, one]]);
    const grads = tape.grads(names.map((n) => params.get(n)));
    const host: Float32Array[] = [];
    for (const g of grads) {
      host.push((await g!.read()) as Float32Array);
      g!.dispose();
    }
    tape.dispose();
    return host;
  });
}

describe('falcon-mamba-tiny training forward and backward', () => {
  it('the training forward gives HF logits and their next-token loss', async () => {
    expect(params.config.bcdtRmsNorm).toBe(true);
    expect(params.names()).toContain('lm_head.weight');
    await withBatch(async (data) => {
      const tape = new Tape();
      const hidden = languageModelHidden(tape, params.config, params, data);
      using got = matmul(hidden, params.get('lm_head.weight'));
      expectAllClose(await got.read(), logits, { rtol: 1e-4, atol: 1e-4, label: 'training logits' });
      tape.dispose();
    });
    const V = params.config.vocabSize;
    let sum = 0;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t + 1 < seqLen; t++) {
        const row = logits.subarray((b * seqLen + t) * V, (b * seqLen + t + 1) * V);
        const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        sum += max + Math.log(z) - row[ids[b * seqLen + t + 1]!]!;
      }
    }
    expect(await lossValue()).toBeCloseTo(sum / (batch * (seqLen - 1)), 5);
  });

  // x_proj feeds dt, B and C through the three norms; dt_proj sees the normed dt.
  const names = [
    'backbone.layers.0.mixer.x_proj.weight',
    'backbone.layers.1.mixer.x_proj.weight',
    'backbone.layers.0.mixer.dt_proj.weight',
    'backbone.layers.0.mixer.in_proj.weight',
  ];
  it('each gradient matches central differences of the loss along it', async () => {
    const grads = await gradients(names, false);
    const eps = 1e-2; // f32 loss: larger steps drown its rounding (truncation stays far below)
    for (let i = 0; i < names.length; i++) {
      const g = grads[i]!;
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      expect(norm, names[i]).toBeGreaterThan(1e-3);
      const param = params.get(names[i]!);
      const base = (await param.read()) as Float32Array;
      // Along d = g / |g|: the analytic derivative is |g|.
      const shifted = (sign: number) => base.map((v, k) => v + (sign * eps * g[k]!) / norm);
      param.write(shifted(1));
      const up = await lossValue();
      param.write(shifted(-1));
      const down = await lossValue();
      param.write(base);
      const numeric = (up - down) / (2 * eps);
      expect(Math.abs(numeric - norm) / norm, `${names[i]}: |numeric - |g|| / |g|`).toBeLessThan(1e-2);
    }
  });

  it('the same gradients with layers recomputed (activation checkpointing)', async () => {
    const plain = await gradients(names, false);
    const recomputed = await gradients(names, true);
    for (let i = 0; i < names.length; i++) {
      expectAllClose(recomputed[i]!, plain[i]!, { rtol: 1e-5, atol: 1e-7, label: names[i] });
    }
  });

  it('refuses the LTI block (selective: false) for a FalconMamba config', async () => {
    await withBatch(async (data) => {
      const tape = new Tape();
      expect(() => languageModelLoss(tape, params.config, params, data, { selective: false })).toThrow(
        /languageModelHidden: selective: false .* got a FalconMamba one/,
      );
      tape.dispose();
    });
  });
});
