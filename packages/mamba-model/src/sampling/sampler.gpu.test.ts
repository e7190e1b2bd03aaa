import { getGpuContext } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { type SamplingOptions, resolveSampling } from './options.js';
import { sampleRef } from './sample-ref.js';
import { GpuSampler } from './sampler.js';
import { Tensor } from '@mamba-webgpu/tensor';

const CASES: [string, SamplingOptions][] = [
  ['greedy', {}],
  ['greedy + repetition penalty', { repetitionPenalty: 1.3 }],
  ['temperature', { temperature: 0.8, seed: 1 }],
  ['top-k', { temperature: 1, topK: 5, seed: 2 }],
  ['top-k 1 (= greedy)', { temperature: 1.5, topK: 1, seed: 3 }],
  ['top-p', { temperature: 0.7, topP: 0.9, seed: 4 }],
  ['min-p', { temperature: 1, minP: 0.05, seed: 5 }],
  ['all together', { temperature: 0.9, topK: 40, topP: 0.8, minP: 0.02, repetitionPenalty: 1.2, seed: 6 }],
];

describe('GpuSampler (GPU vs sort-based CPU reference)', () => {
  for (const [name, options] of CASES) {
    it(name, async () => {
      const ctx = await getGpuContext();
      const resolved = resolveSampling('test', options);
      const batch = 3;
      const vocab = 1000;
      const steps = 6;
      const rng = new SeededRandom(name.length * 7919);
      const sampler = new GpuSampler(ctx, batch, vocab);
      const seen = [new Set([1, 2, 3]), new Set<number>(), new Set([999])];
      sampler.reset(
        resolved,
        seen.map((s) => [...s]),
      );
      const expected: number[][] = [[], [], []];
      const logitTensors: Tensor[] = [];
      for (let step = 0; step < steps; step++) {
        const host = rng.array(batch * vocab, () => rng.normal() * 3);
        const logits = Tensor.fromArray(ctx, host, [batch, vocab], 'f32');
        logitTensors.push(logits);
        sampler.sample(logits);
        for (let r = 0; r < batch; r++) {
          const id = sampleRef(host.subarray(r * vocab, (r + 1) * vocab), seen[r]!, resolved, step, r);
          expected[r]!.push(id);
          seen[r]!.add(id);
        }
      }
      const got = await sampler.readTokens(0, steps);
      await ctx.checkErrors();
      expect(got).toEqual(expected);
      for (const t of logitTensors) t.dispose();
      sampler.dispose();
    });
  }

  it('is reproducible for a seed and differs across seeds', async () => {
    const ctx = await getGpuContext();
    const host = new SeededRandom(1).array(4 * 500, () => 0);
    const run = async (seed: number) => {
      const sampler = new GpuSampler(ctx, 4, 500, resolveSampling('test', { temperature: 1, seed }));
      using logits = Tensor.fromArray(ctx, host, [4, 500], 'f32');
      sampler.sample(logits);
      const ids = await sampler.readTokens(0, 1);
      sampler.dispose();
      return ids.flat();
    };
    expect(await run(11)).toEqual(await run(11));
    expect(await run(11)).not.toEqual(await run(12));
  });

  it('rejects bad options with typed errors', () => {
    expect(() => resolveSampling('generate', { topP: 0 })).toThrow(/generate: topP must be in \(0, 1\]/);
    expect(() => resolveSampling('generate', { temperature: -1 })).toThrow(/temperature/);
    expect(() => resolveSampling('generate', { topK: 1.5 })).toThrow(/topK/);
  });
});
