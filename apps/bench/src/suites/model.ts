// The model suite: a random-weight Mamba with the exact mamba-130m config (d_model 768, 24 layers,
// vocab 50280, d_state 16, expand 2, dt_rank 48) built in memory: prefill tok/s at L = 256, 1024,
// 2048 (batch 1), greedy decode tok/s at batch 1, 8, 64, and peak GPU memory. On CPU adapters
// a small config and short sequences keep it to a minute or two.

import { MambaModel, parseMambaConfig, randomWeights } from '@mamba-webgpu/mamba-model';
import type { GpuContext } from '@mamba-webgpu/tensor';
import { measure } from '@mamba-webgpu/tensor/internal';
import { sampleFields, warmUpGpu } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

/** The exact mamba-130m config (Hugging Face format). */
export const MAMBA_130M = {
  hidden_size: 768,
  num_hidden_layers: 24,
  vocab_size: 50280,
  state_size: 16,
  expand: 2,
  conv_kernel: 4,
  time_step_rank: 48,
  use_bias: false,
  use_conv_bias: true,
  layer_norm_epsilon: 1e-5,
  tie_word_embeddings: true,
  residual_in_fp32: true,
  eos_token_id: 0,
};

/** A small config of the same shape family, for CPU adapters. */
export const MAMBA_SMALL = {
  ...MAMBA_130M,
  hidden_size: 128,
  num_hidden_layers: 4,
  vocab_size: 4096,
  time_step_rank: 8,
};

interface Plan {
  configName: string;
  config: Record<string, unknown>;
  prefillLengths: number[];
  decodeBatches: number[];
  decodeSteps: number;
}

/** Deterministic prompts: `batch` rows of `length` ids below `vocab`. */
export function promptIds(batch: number, length: number, vocab: number): number[][] {
  return Array.from({ length: batch }, (_, r) =>
    Array.from({ length }, (_, t) => (r * 7919 + t * 104729 + 1) % vocab),
  );
}

/**
 * Greedy decode time per step at `batch` rows (16-id prompts, `steps` steps): each sample is the
 * decode time generate() measured itself, prefill excluded.
 */
export function measureDecode(
  model: MambaModel,
  batch: number,
  steps: number,
  samples: number,
  budgetMs: number,
) {
  const prompt = promptIds(batch, 16, model.config.vocabSize);
  return measure(
    async () => {
      await model.generate(prompt, { maxTokens: steps + 1, eos: false, lookahead: 8 });
      return model.lastStats!.decodeMs / steps;
    },
    { warmup: 1, samples, minSamples: 2, budgetMs },
  );
}

function plan(sizing: BenchContext['sizing']): Plan {
  return sizing === 'full'
    ? {
        configName: 'mamba-130m (random, f32)',
        config: MAMBA_130M,
        prefillLengths: [256, 1024, 2048],
        decodeBatches: [1, 8, 64],
        decodeSteps: 64,
      }
    : {
        configName: 'small (d_model 128, 4 layers, f32)',
        config: MAMBA_SMALL,
        prefillLengths: [64, 256],
        decodeBatches: [1, 8],
        decodeSteps: 16,
      };
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const gpu: GpuContext = ctx.gpu!;
  const p = plan(ctx.sizing);
  const config = parseMambaConfig(p.config, p.configName);
  const total = p.prefillLengths.length + p.decodeBatches.length + 1;
  let done = 0;
  ctx.progress(done, total, 'building random weights');
  gpu.pool.resetPeak();
  const model = MambaModel.fromWeights(gpu, config, randomWeights(gpu, config, { seed: 7 }));
  await gpu.sync('bench/model');
  ctx.progress(++done, total, 'weights ready');
  const rows: BenchRow[] = [];
  const budget = ctx.timeBudgetMs / total;
  const idsOf = (batch: number, length: number) => promptIds(batch, length, config.vocabSize);
  try {
    for (const L of p.prefillLengths) {
      const prompt = idsOf(1, L);
      // The weights took seconds of CPU to build: bring the GPU's clocks back up first.
      if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
      // Prefill = the parallel forward over the prompt plus the first sampled id read back.
      const m = await measure(() => model.generate(prompt, { maxTokens: 1, eos: false }), {
        warmup: 2,
        samples: ctx.sizing === 'full' ? 15 : 5,
        budgetMs: budget,
      });
      rows.push({
        suite: 'model',
        name: 'prefill',
        shape: `L=${L}`,
        value: L / (m.median / 1000),
        unit: 'tok/s',
        ...sampleFields(m),
        extra: { ms: Number(m.median.toFixed(3)), batch: 1, config: p.configName },
      });
      ctx.progress(++done, total, `prefill L=${L}`);
    }
    for (const batch of p.decodeBatches) {
      if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
      const m = await measureDecode(model, batch, p.decodeSteps, ctx.sizing === 'full' ? 5 : 3, budget);
      rows.push({
        suite: 'model',
        name: 'decode',
        shape: `batch=${batch}`,
        value: (batch * 1000) / m.median,
        unit: 'tok/s',
        ...sampleFields(m),
        extra: { 'ms/step': Number(m.median.toFixed(3)), steps: p.decodeSteps, config: p.configName },
      });
      ctx.progress(++done, total, `decode batch=${batch}`);
    }
    const stats = gpu.stats();
    rows.push({
      suite: 'model',
      name: 'peak GPU memory',
      shape: p.configName,
      // Live: what tensors held at most (like torch.cuda.max_memory_allocated); pool: what the
      // buffer pool had allocated at most, cached free buffers included (like reserved memory).
      value: stats.peakLiveBytes / 2 ** 20,
      unit: 'MiB',
      extra: {
        'pool MiB': Number((stats.peakAllocatedBytes / 2 ** 20).toFixed(1)),
        weightsMiB: Number((model.weightBytes / 2 ** 20).toFixed(1)),
      },
    });
  } finally {
    model.dispose();
  }
  return rows;
}

export const modelSuite: BenchSuite = {
  name: 'model',
  description: 'Mamba-130m-shaped random-weight model: prefill and decode tokens/s, peak GPU memory',
  needsGpu: true,
  run,
};
