// FalconMamba (FalconMambaForCausalLM: Mamba-1 plus weightless RMSNorms on dt, B and C) against
// Hugging Face transformers on the falcon-mamba-tiny fixture: full-forward logits, greedy ids of
// the cached recurrent decode (generate and stream), every decode step equal to the full forward
// at its position, buffer hygiene of the decode loop, and a check that the fixture tells the norms apart (without them the logits
// and ids differ), so these tests can fail.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Tensor, getGpuContext, matmul } from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToFloat32, decodeToInt32, readAllTensors } from '../../src/index.js';
import { backboneStep, prepareDecode } from '../../src/model/decode.js';
import { type LayerState, backbonePrefill } from '../../src/model/forward.js';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';

const folder = fileURLToPath(new URL('../fixtures/falcon-mamba-tiny', import.meta.url));
/** The mamba-tiny logits test's tolerances. */
const TOL = { rtol: 1e-4, atol: 1e-4 };

let model: MambaModel;
let inputIds: number[][];
let logits: Float32Array;
let promptIds: number[];
let greedyIds: number[];

beforeAll(async () => {
  const bytes = new Uint8Array(await readFile(`${folder}/expected.safetensors`));
  const tensors = await readAllTensors(bytesSource(bytes, 'expected.safetensors'));
  const rows = (name: string) => {
    const t = tensors.get(name)!;
    const flat = Array.from(decodeToInt32(t));
    const [b, l] = t.shape as [number, number];
    return Array.from({ length: b }, (_, i) => flat.slice(i * l, (i + 1) * l));
  };
  inputIds = rows('input_ids');
  logits = decodeToFloat32(tensors.get('logits')!);
  promptIds = rows('prompt_ids')[0]!;
  greedyIds = rows('greedy_ids')[0]!;
  model = await loadModel(folder, { ctx: await getGpuContext(), progress: false });
});

afterAll(() => model?.dispose());

/** Logits (batch*seqLen, vocab) of the full forward with `config`'s norms on or off. */
async function forwardWith(bcdtRmsNorm: boolean, ids: number[][]): Promise<Float32Array> {
  const { ctx, config, weights } = model;
  const [batch, seqLen] = [ids.length, ids[0]!.length];
  using idTensor = Tensor.fromArray(ctx, ids.flat(), [batch, seqLen], 'i32');
  using hidden = backbonePrefill({ ...config, bcdtRmsNorm }, weights, idTensor, batch, seqLen);
  using out = matmul(hidden, weights.lmHead);
  return out.read();
}

function argmaxRows(values: Float32Array, vocab: number): number[] {
  const ids: number[] = [];
  for (let r = 0; r * vocab < values.length; r++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (values[r * vocab + v]! > values[r * vocab + best]!) best = v;
    ids.push(best);
  }
  return ids;
}

describe('falcon-mamba-tiny against Hugging Face', () => {
  it('loads as FalconMamba: norms on, untied LM head', () => {
    expect(model.config).toMatchObject({
      modelType: 'falcon_mamba',
      bcdtRmsNorm: true,
      tieEmbeddings: false,
    });
    expect(model.weights.lmHead).not.toBe(model.weights.embedding);
  });

  it('full-forward logits match', async () => {
    expect(inputIds.map((r) => r.length)).toEqual([29, 29]);
    expectAllClose(await model.forward(inputIds), logits, { ...TOL, label: 'falcon-mamba-tiny logits' });
  });

  it('greedy ids equal HF generate() (the cached recurrent step), through generate and stream', async () => {
    const want = greedyIds.slice(promptIds.length);
    expect(want).toHaveLength(20);
    const generated = await model.generate([promptIds], { maxTokens: want.length, eos: false });
    expect(generated[0]).toEqual(want);
    const streamed: number[] = [];
    for await (const { id } of model.stream(promptIds, { maxTokens: want.length, eos: false })) {
      if (id >= 0) streamed.push(id);
    }
    expect(streamed).toEqual(want);
  });

  it('prompts of different lengths in one batch give each row its own continuation', async () => {
    const rows = [promptIds, promptIds.slice(0, 3), [...promptIds, 17, 300]];
    const batched = await model.generate(rows, { maxTokens: 8, eos: false });
    for (let r = 0; r < rows.length; r++) {
      expect(batched[r]).toEqual((await model.generate([rows[r]!], { maxTokens: 8, eos: false }))[0]);
    }
    expect(batched[0]).toEqual(greedyIds.slice(promptIds.length, promptIds.length + 8));
  });

  // Batch 5 runs in_proj through rmsNormMatmul's composed version (more than 4 rows).
  for (const rows of [2, 5]) {
    it(`each decode step reproduces the full forward logits at that position (batch ${rows})`, async () => {
      const { ctx, config, weights } = model;
      const V = config.vocabSize;
      const [len, k] = [20, 6];
      const ids = Array.from({ length: rows }, (_, r) =>
        inputIds[r % 2]!.slice(0, len).map((id) => (id + r) % V),
      );
      const full = await model.forward(ids); // (rows, len, vocab)
      const states: LayerState[] = weights.layers.map(() => ({
        conv: Tensor.empty(ctx, [rows, config.dInner, config.dConv], 'f32').poison(),
        ssm: Tensor.empty(ctx, [rows, config.dInner, config.dState], 'f32').poison(),
      }));
      {
        using prompt = Tensor.fromArray(
          ctx,
          ids.flatMap((r) => r.slice(0, k)),
          [rows, k],
          'i32',
        );
        backbonePrefill(config, weights, prompt, rows, k, states).dispose();
      }
      using prepared = prepareDecode(weights);
      for (let t = k; t < len; t++) {
        using step = Tensor.fromArray(
          ctx,
          ids.map((r) => r[t]!),
          [rows],
          'i32',
        );
        using hidden = backboneStep(config, weights, step, states, prepared);
        using stepLogits = matmul(hidden, weights.lmHead);
        const got = await stepLogits.read();
        for (let r = 0; r < rows; r++) {
          const want = full.subarray((r * len + t) * V, (r * len + t + 1) * V);
          expectAllClose(got.subarray(r * V, (r + 1) * V), want, { ...TOL, label: `step t=${t} row ${r}` });
        }
      }
      for (const s of states) {
        s.conv.dispose();
        s.ssm.dispose();
      }
      await ctx.checkErrors();
    });
  }

  it('live GPU buffers stay flat over decode steps and return after releaseCaches()', async () => {
    const ctx = model.ctx;
    model.releaseCaches();
    const before = ctx.stats().liveBuffers;
    const live: number[] = [];
    let n = 0;
    for await (const _ of model.stream(promptIds, { maxTokens: 100, eos: false, temperature: 1, seed: 5 })) {
      n++;
      if (n === 10 || n === 100) live.push(ctx.stats().liveBuffers);
    }
    expect(n).toBe(100);
    expect(live[1]).toBe(live[0]);
    model.releaseCaches();
    expect(ctx.stats().liveBuffers).toBe(before);
  });

  it('the fixture tells the norms apart: without them the logits and greedy ids are wrong', async () => {
    const V = model.config.vocabSize;
    const plain = await forwardWith(false, inputIds);
    let maxDiff = 0;
    for (let i = 0; i < plain.length; i++) maxDiff = Math.max(maxDiff, Math.abs(plain[i]! - logits[i]!));
    expect(maxDiff).toBeGreaterThan(100 * TOL.atol);
    // The greedy continuation through the full forward, one token at a time: with the norms it is
    // HF's; without them it leaves HF's path.
    const run = async (norms: boolean) => {
      const ids = [...promptIds];
      while (ids.length < greedyIds.length) {
        const out = await forwardWith(norms, [ids]);
        ids.push(argmaxRows(out.subarray((ids.length - 1) * V), V)[0]!);
      }
      return ids;
    };
    expect(await run(true)).toEqual(greedyIds);
    expect(await run(false)).not.toEqual(greedyIds);
  });
});
