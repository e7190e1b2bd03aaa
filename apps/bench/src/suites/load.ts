// The load suite: how fast a checkpoint streams from disk to the GPU, and how much host memory
// that takes. A random-weight checkpoint (mamba-2.8b's config, bf16: 5.6 GB; on CPU adapters a
// small config) is written to a temporary folder, then loaded as stored (bf16) and quantized to
// q4, while the process's resident memory is sampled: the loader holds one tensor at a time, so
// the peak above the baseline stays near the largest tensor (the embedding) in f32 plus its
// GPU-format copy, not the model.

import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeWeights, parseMambaConfig, randomWeights, type WeightDType } from '@mamba-webgpu/mamba-model';
import { loadModel, saveCheckpoint } from '@mamba-webgpu/mamba-model/node';
import type { GpuContext } from '@mamba-webgpu/tensor';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';
import { MAMBA_SMALL } from './model.js';
import { MAMBA_2_8B } from './quant.js';

/** Samples `process.memoryUsage().rss` every `ms` until stopped; returns the largest seen. */
function sampleRss(ms = 20): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Writes random weights of `config` as an HF checkpoint in bf16 (one GPU tensor read at a time). */
async function writeRandomCheckpoint(
  gpu: GpuContext,
  dir: string,
  config: ReturnType<typeof parseMambaConfig>,
) {
  const weights = randomWeights(gpu, config, { seed: 3 });
  try {
    // randomWeights holds A = -(1..dState) per channel in every layer; the file holds A_log = log(-A).
    const dState = config.dState;
    const aLog = new Float32Array(config.dInner * dState);
    for (let j = 0; j < aLog.length; j++) aLog[j] = Math.log((j % dState) + 1);
    const tensors: Record<string, unknown> = { embedding: weights.embedding, normF: weights.normF };
    weights.layers.forEach((l, i) => {
      const k = (name: string) => `layers.${i}.${name}`;
      Object.assign(tensors, {
        [k('norm')]: l.norm,
        [k('inProj')]: l.inProj,
        [k('conv1dWeight')]: l.conv1dWeight,
        [k('xProj')]: l.xProj,
        [k('dtProj')]: l.dtProj,
        [k('dtProjBias')]: l.dtProjBias,
        [k('aLog')]: { data: aLog, shape: [config.dInner, dState] },
        [k('d')]: l.D,
        [k('outProj')]: l.outProj,
        ...(l.conv1dBias ? { [k('conv1dBias')]: l.conv1dBias } : {}),
      });
    });
    await saveCheckpoint(dir, config, tensors as Parameters<typeof saveCheckpoint>[2], { dtype: 'bf16' });
  } finally {
    disposeWeights(weights);
  }
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const gpu = ctx.gpu!;
  const full = ctx.sizing === 'full';
  const [name, raw] = full ? ['mamba-2.8b', MAMBA_2_8B] : ['small (d_model 128, 4 layers)', MAMBA_SMALL];
  const config = parseMambaConfig(raw, name);
  const dtypes: (WeightDType | undefined)[] = [undefined, 'q4'];
  const total = 1 + dtypes.length;
  const dir = await mkdtemp(join(tmpdir(), 'mamba-bench-load-'));
  const rows: BenchRow[] = [];
  try {
    ctx.progress(0, total, `writing a random ${name} checkpoint (bf16)`);
    const t0 = performance.now();
    await writeRandomCheckpoint(gpu, dir, config);
    ctx.progress(1, total, `checkpoint written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    gpu.pool.trim();
    for (const [i, dtype] of dtypes.entries()) {
      const label = dtype ?? 'bf16 (as stored)';
      const baseline = process.memoryUsage().rss;
      const rss = sampleRss();
      const start = performance.now();
      const model = await loadModel(dir, { ctx: gpu, progress: false, ...(dtype ? { dtype } : {}) });
      const ms = performance.now() - start;
      const peak = rss.stop();
      const gpuBytes = model.weightBytes;
      model.dispose();
      gpu.pool.trim();
      const file = statSync(join(dir, 'model.safetensors')).size;
      rows.push({
        suite: 'load',
        name: `load as ${label}`,
        shape: `${name}, ${(file / 1e9).toPrecision(3)} GB file`,
        value: file / 1e9 / (ms / 1000),
        unit: 'GB/s',
        extra: {
          s: Number((ms / 1000).toFixed(2)),
          'peak RSS MiB': Number((peak / 2 ** 20).toFixed(0)),
          'RSS above baseline MiB': Number(((peak - baseline) / 2 ** 20).toFixed(0)),
          'GPU weights MiB': Number((gpuBytes / 2 ** 20).toFixed(0)),
        },
      });
      ctx.progress(2 + i, total, `load as ${label}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export const loadSuite: BenchSuite = {
  name: 'load',
  description:
    'Checkpoint loading: a random mamba-2.8b bf16 checkpoint written to disk, loaded as stored and as q4; GB/s and peak resident memory',
  needsGpu: true,
  run,
};
