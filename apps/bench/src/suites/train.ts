// The `train` suite: the scan's forward + backward beside the official CUDA kernels, and whole
// training steps of a random-weight mamba-130m (f32: forward, fused LM-head loss, backward,
// clipping, AdamW) — tokens/s and peak GPU memory at batch 8 x L 2048 and batch 1 x L 8192.
// The bench puts the official mamba_ssm f32 figures beside them on the anchors' GPU
// (anchors/official.ts). Small shapes on CPU adapters.

import { MambaParameters, Trainer, languageModelLoss, parseMambaConfig } from '@mamba-webgpu/mamba-model';
import { Tape, Tensor } from '@mamba-webgpu/tensor';
import { measure } from '@mamba-webgpu/tensor/internal';
import { sampleFields, warmUpGpu } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';
import { MAMBA_130M, MAMBA_SMALL } from './model.js';
import { TRAIN_SCAN_FULL, TRAIN_SCAN_SMALL, trainScanRows } from './train-scan.js';

interface StepShape {
  batch: number;
  seqLen: number;
  checkpointLayers: boolean;
}

const FULL_STEPS: StepShape[] = [
  { batch: 8, seqLen: 2048, checkpointLayers: false },
  { batch: 1, seqLen: 8192, checkpointLayers: false },
];
const SMALL_STEPS: StepShape[] = [{ batch: 2, seqLen: 128, checkpointLayers: false }];

async function stepRows(ctx: BenchContext, onStep: (label: string) => void): Promise<BenchRow[]> {
  const gpu = ctx.gpu!;
  const full = ctx.sizing === 'full';
  const config = parseMambaConfig(
    full ? MAMBA_130M : MAMBA_SMALL,
    full ? 'mamba-130m (random, f32)' : 'small (random, f32)',
  );
  const rows: BenchRow[] = [];
  for (const s of full ? FULL_STEPS : SMALL_STEPS) {
    const shape = `${s.batch}x${s.seqLen}`;
    const params = MambaParameters.random(gpu, config, 5);
    const trainer = new Trainer(params, {
      lr: 1e-3,
      betas: [0.9, 0.95],
      weightDecay: 0.1,
      clip: 1.0,
      checkpointLayers: s.checkpointLayers,
    });
    const ids = Int32Array.from(
      { length: s.batch * s.seqLen },
      (_, i) => (i * 104729 + 7) % config.vocabSize,
    );
    try {
      if (full) await warmUpGpu(gpu, 300);
      gpu.pool.resetPeak();
      const m = await measure(
        async () => {
          await trainer.step({ ids, batch: s.batch, seqLen: s.seqLen });
        },
        {
          warmup: 2,
          samples: full ? 6 : 3,
          minSamples: 2,
          budgetMs: ctx.timeBudgetMs / 3,
        },
      );
      const stats = gpu.stats();
      // The forward and loss alone (no backward, no optimizer): where the step's time goes.
      const idsGpu = Tensor.fromArray(gpu, ids, [s.batch, s.seqLen], 'i32', 'bench/train/ids');
      const forward = await measure(
        async () => {
          const tape = new Tape();
          const loss = languageModelLoss(tape, config, params, {
            ids: idsGpu,
            hostIds: ids,
            batch: s.batch,
            seqLen: s.seqLen,
          });
          await loss.read();
          tape.dispose();
        },
        { warmup: 1, samples: full ? 4 : 2, minSamples: 2 },
      );
      idsGpu.dispose();
      const tokS = (s.batch * s.seqLen) / (m.median / 1000);
      const gib = (b: number) => Number((b / 2 ** 30).toFixed(2));
      rows.push({
        suite: 'train',
        name: 'training step (fwd + loss + bwd + clip + AdamW)',
        shape: `${config.dModel === 768 ? 'mamba-130m' : 'small'} ${shape}`,
        value: tokS,
        unit: 'tok/s',
        ...sampleFields(m),
        extra: {
          'step ms': Number(m.median.toFixed(1)),
          'forward+loss ms': Number(forward.median.toFixed(1)),
          'peak GiB (live)': gib(stats.peakLiveBytes),
          'peak GiB (pool)': gib(stats.peakAllocatedBytes),
          timing: m.clock,
        },
      });
      onStep(`train step ${shape}`);
    } finally {
      trainer.dispose();
      params.dispose();
      await gpu.sync('bench/train');
      gpu.pool.trim();
    }
  }
  return rows;
}

export const trainSuite: BenchSuite = {
  name: 'train',
  description: 'scan forward+backward vs the official kernels; mamba-130m training tokens/s and peak memory',
  needsGpu: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const total =
      (ctx.sizing === 'full'
        ? TRAIN_SCAN_FULL.length + FULL_STEPS.length
        : TRAIN_SCAN_SMALL.length + SMALL_STEPS.length) + 1;
    let done = 0;
    const onStep = (label: string) => ctx.progress(++done, total, label);
    ctx.progress(0, total, 'scan forward + backward');
    const rows = [...(await trainScanRows(ctx, onStep)), ...(await stepRows(ctx, onStep))];
    ctx.progress(total, total, 'done');
    return rows;
  },
};
