// The quant suite: decode at batch 1 per weight dtype (f32, bf16, q8, q4) for random-weight models
// with the real mamba-130m and mamba-2.8b configs, and falcon-mamba-7b in q8 and q4: tok/s, the
// weight bytes read per token against the copy ceiling measured in the same run (batch-1 decode
// reads every weight matrix once per token), and peak GPU memory. On CPU adapters a small config.

import { MambaModel, parseMambaConfig, randomWeights, type WeightDType } from '@mamba-webgpu/mamba-model';
import type { GpuContext } from '@mamba-webgpu/tensor';
import { sampleFields, warmUpGpu } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';
import { copyCeilingRow } from './copy-ceiling.js';
import { MAMBA_130M, MAMBA_SMALL, measureDecode } from './model.js';

/** state-spaces/mamba-2.8b-hf's config. */
export const MAMBA_2_8B = {
  ...MAMBA_130M,
  hidden_size: 2560,
  num_hidden_layers: 64,
  time_step_rank: 160,
};

/** tiiuae/falcon-mamba-7b's config (FalconMambaForCausalLM: untied LM head, B/C/dt norms). */
export const FALCON_MAMBA_7B = {
  model_type: 'falcon_mamba',
  hidden_size: 4096,
  intermediate_size: 8192,
  num_hidden_layers: 64,
  vocab_size: 65024,
  state_size: 16,
  conv_kernel: 4,
  time_step_rank: 256,
  use_bias: false,
  use_conv_bias: true,
  layer_norm_epsilon: 1e-5,
  mixer_rms_eps: 1e-6,
  tie_word_embeddings: false,
  residual_in_fp32: true,
  eos_token_id: 11,
};

interface Case {
  name: string;
  config: Record<string, unknown>;
  dtypes: WeightDType[];
}

function plan(sizing: BenchContext['sizing']): { cases: Case[]; steps: number; copyBytes: number } {
  if (sizing !== 'full') {
    return {
      cases: [{ name: 'small (d_model 128, 4 layers)', config: MAMBA_SMALL, dtypes: ['f32', 'q8', 'q4'] }],
      steps: 8,
      copyBytes: 16 << 20,
    };
  }
  return {
    cases: [
      { name: 'mamba-130m', config: MAMBA_130M, dtypes: ['f32', 'bf16', 'q8', 'q4'] },
      { name: 'mamba-2.8b', config: MAMBA_2_8B, dtypes: ['f32', 'bf16', 'q8', 'q4'] },
      { name: 'falcon-mamba-7b', config: FALCON_MAMBA_7B, dtypes: ['q8', 'q4'] },
    ],
    steps: 32,
    copyBytes: 1 << 30,
  };
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const gpu: GpuContext = ctx.gpu!;
  const p = plan(ctx.sizing);
  const total = 1 + p.cases.reduce((n, c) => n + c.dtypes.length, 0);
  const budget = ctx.timeBudgetMs / total;
  let done = 0;
  ctx.progress(done, total, 'copy ceiling');
  if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
  const ceiling = await copyCeilingRow(gpu, 'quant', p.copyBytes, { samples: 10, budgetMs: budget });
  const rows: BenchRow[] = [ceiling];
  ctx.progress(++done, total, 'copy ceiling');
  for (const c of p.cases) {
    const config = parseMambaConfig(c.config, c.name);
    for (const dtype of c.dtypes) {
      const label = `${c.name} ${dtype}`;
      ctx.progress(done, total, `${label}: building random weights`);
      gpu.pool.trim();
      gpu.pool.resetPeak();
      const model = MambaModel.fromWeights(gpu, config, randomWeights(gpu, config, { seed: 11, dtype }));
      try {
        await gpu.sync('bench/quant');
        if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
        const m = await measureDecode(model, 1, p.steps, ctx.sizing === 'full' ? 5 : 3, budget);
        const gbps = model.weightBytes / 1e9 / (m.median / 1000);
        rows.push({
          suite: 'quant',
          name: `decode ${dtype}`,
          shape: `${c.name} batch=1`,
          value: 1000 / m.median,
          unit: 'tok/s',
          ...sampleFields(m),
          extra: {
            'ms/step': Number(m.median.toFixed(3)),
            'weights MiB': Number((model.weightBytes / 2 ** 20).toFixed(1)),
            'weight GB/s': Number(gbps.toPrecision(3)),
            // Weight reads only (one way) against the copy's read + write: the share of the
            // bandwidth the step's weight traffic uses.
            '% of copy': Number(((100 * gbps) / ceiling.value).toPrecision(3)),
            'peak MiB': Number((gpu.stats().peakLiveBytes / 2 ** 20).toFixed(1)),
          },
        });
      } finally {
        model.dispose();
      }
      ctx.progress(++done, total, label);
    }
  }
  gpu.pool.trim();
  return rows;
}

export const quantSuite: BenchSuite = {
  name: 'quant',
  description:
    'Decode at batch 1 per weight dtype (f32, bf16, q8, q4): mamba-130m, mamba-2.8b and falcon-mamba-7b configs, random weights; weight GB/s vs the copy ceiling, peak memory',
  needsGpu: true,
  run,
};
