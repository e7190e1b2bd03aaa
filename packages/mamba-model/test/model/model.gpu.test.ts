// Fidelity of the GPU model against Hugging Face transformers' outputs on the tiny fixtures:
// logits, greedy ids, original-format loading, prefill-then-decode consistency, buffer hygiene
// over long generations, and typed errors on bad input.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { getGpuContext, matmul, Tensor } from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToFloat32, decodeToInt32, readAllTensors } from '../../src/index.js';
import { backboneStep, prepareDecode } from '../../src/model/decode.js';
import { backbonePrefill, type LayerState } from '../../src/model/forward.js';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

interface Expected {
  inputIds: number[][];
  logits: Float32Array;
  promptIds: number[];
  greedyIds: number[];
}

async function readExpected(): Promise<Expected> {
  const bytes = new Uint8Array(await readFile(`${fixture('mamba-tiny')}/expected.safetensors`));
  const tensors = await readAllTensors(bytesSource(bytes, 'expected.safetensors'));
  const rows = (name: string) => {
    const t = tensors.get(name)!;
    const flat = Array.from(decodeToInt32(t));
    const [b, l] = t.shape as [number, number];
    return Array.from({ length: b }, (_, i) => flat.slice(i * l, (i + 1) * l));
  };
  return {
    inputIds: rows('input_ids'),
    logits: decodeToFloat32(tensors.get('logits')!),
    promptIds: rows('prompt_ids')[0]!,
    greedyIds: rows('greedy_ids')[0]!,
  };
}

let expected: Expected;
const models = new Map<string, MambaModel>();
const TOL = { rtol: 1e-4, atol: 1e-4 };

beforeAll(async () => {
  expected = await readExpected();
  const ctx = await getGpuContext();
  for (const name of ['mamba-tiny', 'mamba-tiny-bf16', 'mamba-tiny-orig']) {
    models.set(name, await loadModel(fixture(name), { ctx, progress: false }));
  }
});

afterAll(() => {
  for (const m of models.values()) m.dispose();
});

describe('forward logits match Hugging Face', () => {
  for (const name of ['mamba-tiny', 'mamba-tiny-bf16', 'mamba-tiny-orig']) {
    it(name, async () => {
      const model = models.get(name)!;
      const logits = await model.forward(expected.inputIds);
      if (name === 'mamba-tiny-bf16') {
        // expected.safetensors of the bf16 folder: computed from the bf16 weights upcast to f32.
        const bytes = new Uint8Array(await readFile(`${fixture(name)}/expected.safetensors`));
        const t = (await readAllTensors(bytesSource(bytes))).get('logits')!;
        expectAllClose(logits, decodeToFloat32(t), { ...TOL, label: `${name} logits` });
      } else {
        expectAllClose(logits, expected.logits, { ...TOL, label: `${name} logits` });
      }
    });
  }

  it('original-format load gives the same logits as the HF-format load', async () => {
    const a = await models.get('mamba-tiny')!.forward(expected.inputIds);
    const b = await models.get('mamba-tiny-orig')!.forward(expected.inputIds);
    expectAllClose(b, a, { rtol: 0, atol: 1e-6, label: 'orig vs hf' });
  });
});

describe('generation', () => {
  it('greedy ids equal HF generate() (and are identical across runs)', async () => {
    const model = models.get('mamba-tiny')!;
    const want = expected.greedyIds.slice(expected.promptIds.length);
    const run = () => model.generate([expected.promptIds], { maxTokens: want.length, eos: false });
    const first = await run();
    expect(first[0]).toEqual(want);
    expect(await run()).toEqual(first);
  });

  it('greedy ids from the bf16 and original-format checkpoints', async () => {
    const want = expected.greedyIds.slice(expected.promptIds.length);
    const orig = await models
      .get('mamba-tiny-orig')!
      .generate([expected.promptIds], { maxTokens: want.length, eos: false });
    expect(orig[0]).toEqual(want);
  });

  it('batched prompts give each row its own greedy continuation', async () => {
    const model = models.get('mamba-tiny')!;
    const rows = [expected.promptIds, expected.promptIds.map((id) => (id * 7 + 3) % 512)];
    const batched = await model.generate(rows, { maxTokens: 8, eos: false });
    for (let r = 0; r < rows.length; r++) {
      expect(batched[r]).toEqual((await model.generate([rows[r]!], { maxTokens: 8, eos: false }))[0]);
    }
  });

  for (const rows of [2, 9]) {
    it(`each decode step reproduces the full forward logits at that position (batch ${rows})`, async () => {
      const model = models.get('mamba-tiny')!;
      const { ctx, config, weights } = model;
      const ids = Array.from({ length: rows }, (_, r) =>
        expected.inputIds[r % 2]!.slice(0, 20).map((id) => (id + r) % 512),
      );
      const batch = ids.length;
      const full = await model.forward(ids); // (batch, 20, vocab)
      const k = 7;
      const states: LayerState[] = weights.layers.map(() => ({
        conv: Tensor.empty(ctx, [batch, config.dInner, config.dConv], 'f32').poison(),
        ssm: Tensor.empty(ctx, [batch, config.dInner, config.dState], 'f32').poison(),
      }));
      {
        using prompt = Tensor.fromArray(
          ctx,
          ids.flatMap((r) => r.slice(0, k)),
          [batch, k],
          'i32',
        );
        // Only the states matter here: the hidden output is disposed at once.
        backbonePrefill(config, weights, prompt, batch, k, states).dispose();
      }
      const V = config.vocabSize;
      using prepared = prepareDecode(weights);
      for (let t = k; t < 20; t++) {
        using step = Tensor.fromArray(
          ctx,
          ids.map((r) => r[t]!),
          [batch],
          'i32',
        );
        using hidden = backboneStep(config, weights, step, states, prepared);
        using logits = matmul(hidden, weights.lmHead);
        const got = await logits.read();
        for (let r = 0; r < batch; r++) {
          const want = full.subarray((r * 20 + t) * V, (r * 20 + t + 1) * V);
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

  it('live GPU buffers stay flat from 10 to 1000 decode steps and return after the session', async () => {
    const model = models.get('mamba-tiny')!;
    const ctx = model.ctx;
    model.releaseCaches();
    const before = ctx.stats().liveBuffers;
    const live: number[] = [];
    let n = 0;
    for await (const _ of model.stream(expected.promptIds, {
      maxTokens: 1000,
      eos: false,
      temperature: 1,
      seed: 3,
    })) {
      n++;
      if (n === 10 || n === 1000) live.push(ctx.stats().liveBuffers);
    }
    expect(n).toBe(1000);
    expect(live[1]).toBe(live[0]);
    // The generation graph (states, sampler, captured steps) stays cached for the next call...
    expect(ctx.stats().liveBuffers).toBeGreaterThan(before);
    // ...and releasing the caches frees every buffer of it.
    model.releaseCaches();
    expect(ctx.stats().liveBuffers).toBe(before);
  });

  it('prompts of different lengths in one batch give each row its own continuation', async () => {
    const model = models.get('mamba-tiny')!;
    const rows = [
      expected.promptIds,
      expected.promptIds.slice(0, 4),
      [...expected.promptIds, 17, 400, 3],
      [5],
    ];
    const batched = await model.generate(rows, { maxTokens: 10, eos: false });
    for (let r = 0; r < rows.length; r++) {
      expect(batched[r]).toEqual((await model.generate([rows[r]!], { maxTokens: 10, eos: false }))[0]);
    }
    expect(batched[0]).toEqual(
      expected.greedyIds.slice(expected.promptIds.length, expected.promptIds.length + 10),
    );
    expect(model.lastStats?.promptTokens).toBe(1);
  });

  it('stops at a stop id and keeps it', async () => {
    const model = models.get('mamba-tiny')!;
    const want = expected.greedyIds.slice(expected.promptIds.length);
    const stopAt = want[5]!;
    const firstIndex = want.indexOf(stopAt);
    const out = await model.generate([expected.promptIds], { maxTokens: 24, stopIds: [stopAt], eos: false });
    expect(out[0]).toEqual(want.slice(0, firstIndex + 1));
  });
});

describe('bad inputs give typed errors', () => {
  it('ids outside the vocabulary', async () => {
    const model = models.get('mamba-tiny')!;
    await expect(model.forward([[1, 2, 512]])).rejects.toThrow(
      /MambaModel.forward: ids\[0\]\[2\] = 512 is outside the vocabulary \[0, 512\)/,
    );
    await expect(model.generate([[-1]], { maxTokens: 2 })).rejects.toThrow(/outside the vocabulary/);
  });
  it('empty prompt, ragged batch, bad maxTokens', async () => {
    const model = models.get('mamba-tiny')!;
    await expect(model.generate([[]], { maxTokens: 2 })).rejects.toThrow(/the prompt is empty/);
    await expect(model.forward([[1, 2], [3]])).rejects.toThrow(/same length/);
    await expect(model.generate([[1]], { maxTokens: 0 })).rejects.toThrow(
      /maxTokens must be an integer >= 1/,
    );
  });
});
