// The decode plan of docs/perf-notes.md, as recorded: four dispatches per layer at batch <= 4
// (RMSNorm-prologue in_proj GEMV, conv-prologue x_proj GEMV, fused SSM step, out_proj matmul) and
// five above (the RMSNorm once, then in_proj), each kernel the registered version named here.
import { Tensor, getGpuContext, matmul } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { parseMambaConfig } from '../../src/loading/config.js';
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

describe('decode step plan', () => {
  for (const batch of [1, 9]) {
    it(`records the planned kernels per layer (batch ${batch})`, async () => {
      const ctx = await getGpuContext();
      const config = parseMambaConfig(CONFIG);
      const weights = randomWeights(ctx, config, { seed: 5 });
      using prepared = prepareDecode(weights);
      const states = weights.layers.map(() => ({
        conv: Tensor.empty(ctx, [batch, config.dInner, config.dConv], 'f32'),
        ssm: Tensor.empty(ctx, [batch, config.dInner, config.dState], 'f32'),
      }));
      using ids = Tensor.fromArray(ctx, new Int32Array(batch), [batch], 'i32');
      using recording = ctx.captureSequence('decode-plan', () => {
        using hidden = backboneStep(config, weights, ids, states, prepared);
        matmul(hidden, weights.lmHead).dispose();
      });
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
      expect(recording.labels).toEqual(want);
      for (const s of states) {
        s.conv.dispose();
        s.ssm.dispose();
      }
      disposeWeights(weights);
    });
  }

  it('a wide model (dInner > 2048, as mamba-2.8b) takes the conv step unfused and gemv-v2 for long K', async () => {
    const ctx = await getGpuContext();
    const config = parseMambaConfig({ ...CONFIG, hidden_size: 1088, num_hidden_layers: 1 });
    const weights = randomWeights(ctx, config, { seed: 6 });
    using prepared = prepareDecode(weights);
    const states = weights.layers.map(() => ({
      conv: Tensor.empty(ctx, [1, config.dInner, config.dConv], 'f32'),
      ssm: Tensor.empty(ctx, [1, config.dInner, config.dState], 'f32'),
    }));
    using ids = Tensor.fromArray(ctx, new Int32Array(1), [1], 'i32');
    using recording = ctx.captureSequence('decode-plan-wide', () => {
      using hidden = backboneStep(config, weights, ids, states, prepared);
      matmul(hidden, weights.lmHead).dispose();
    });
    expect(recording.labels).toEqual([
      'embedding',
      'rmsnorm-matmul/v2-prologue-gemv',
      'causal-conv1d-update/v1-plain',
      'matmul/gemv-v2',
      'selective-state-update/v2-fused-step',
      'matmul/gemv-v2',
      'rmsNorm',
      'matmul/gemv-v2',
    ]);
    for (const s of states) {
      s.conv.dispose();
      s.ssm.dispose();
    }
    disposeWeights(weights);
  });
});
