// The decode plan of docs/perf-notes.md, as recorded: four dispatches per layer at batch <= 4
// (RMSNorm-prologue in_proj GEMV, conv-prologue x_proj GEMV, fused SSM step, out_proj matmul) and
// five above (the RMSNorm once, then in_proj), each kernel the registered version named here.
import { Tensor, getGpuContext, matmul } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { type MambaConfig, parseMambaConfig } from '../../src/loading/config.js';
import { backboneStep, prepareDecode } from '../../src/model/decode.js';
import { randomWeights } from '../../src/model/random-weights.js';
import { disposeWeights } from '../../src/model/weights.js';

const CONFIG = {
  model_type: 'mamba',
  hidden_size: 64,
  state_size: 16,
  num_hidden_layers: 3,
  vocab_size: 96,
  expand: 2,
  conv_kernel: 4,
  time_step_rank: 8,
};

/** The kernel labels of one decode step plus the LM head, for `config` at `batch` rows. */
async function decodeLabels(config: MambaConfig, batch: number, seed: number): Promise<readonly string[]> {
  const ctx = await getGpuContext();
  const weights = randomWeights(ctx, config, { seed });
  using prepared = prepareDecode(weights);
  const states = weights.layers.map(() => ({
    conv: Tensor.empty(ctx, [batch, config.dInner, config.dConv], 'f32'),
    ssm: Tensor.empty(ctx, [batch, config.dInner, config.dState], 'f32'),
  }));
  try {
    using ids = Tensor.fromArray(ctx, new Int32Array(batch), [batch], 'i32');
    using recording = ctx.captureSequence('decode-plan', () => {
      using hidden = backboneStep(config, weights, ids, states, prepared);
      matmul(hidden, weights.lmHead).dispose();
    });
    return [...recording.labels];
  } finally {
    for (const s of states) {
      s.conv.dispose();
      s.ssm.dispose();
    }
    disposeWeights(weights);
  }
}

describe('decode step plan', () => {
  for (const batch of [1, 9]) {
    it(`records the planned kernels per layer (batch ${batch})`, async () => {
      const config = parseMambaConfig(CONFIG);
      const layer = [
        ...(batch <= 4 ? ['rmsnorm-matmul/v2-prologue-gemv'] : ['rmsNorm', 'matmul/gemv-v1']),
        'causal-conv1d-update/v2-gemv',
        'selective-state-update/v2-fused-step',
        'matmul/gemv-v1',
      ];
      const want = [
        'embedding',
        ...Array.from({ length: config.nLayer }, () => layer).flat(),
        'rmsNorm',
        'matmul/gemv-v1',
      ];
      expect(await decodeLabels(config, batch, 5)).toEqual(want);
    });
  }

  it('a wide model (dInner > 2048, as mamba-2.8b) takes the conv step unfused and gemv-v2 for long K', async () => {
    const config = parseMambaConfig({ ...CONFIG, hidden_size: 1088, num_hidden_layers: 1 });
    expect(await decodeLabels(config, 1, 6)).toEqual([
      'embedding',
      'rmsnorm-matmul/v2-prologue-gemv',
      'causal-conv1d-update/v1-plain',
      'matmul/gemv-v2',
      'selective-state-update/v2-fused-step',
      'matmul/gemv-v2',
      'rmsNorm',
      'matmul/gemv-v2',
    ]);
  });
});
