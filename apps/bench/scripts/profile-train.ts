// Where a training step's time goes (H200 investigation): wall time of whole steps, the CPU time
// to record one (forward, loss, backward, clip, AdamW) before the GPU is waited for, and the GPU
// time per kernel label of one step with every dispatch timed alone (ctx.profileKernels; a
// dispatch alone in a pass pays ~12.7 µs of fixed cost on an H200, so small kernels read high).
// Run: `pnpm run profile:train` (mamba-130m, batch 8 x L 2048; small shapes on CPU adapters).
// Arguments: --batch B --seq-len L. Writes $OUT/profile-train.json when OUT is set.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MambaParameters, Trainer, parseMambaConfig } from '@mamba-webgpu/mamba-model';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { measure } from '@mamba-webgpu/tensor/internal';
import { MAMBA_130M, MAMBA_SMALL } from '../src/suites/model.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ctx = await getGpuContext();
(globalThis as { __profileCtx?: unknown }).__profileCtx = ctx;
const small = ctx.adapter.isCpu;
const config = parseMambaConfig(small ? MAMBA_SMALL : MAMBA_130M);
const batch = arg('--batch', small ? 2 : 8);
const seqLen = arg('--seq-len', small ? 128 : 2048);
const params = MambaParameters.random(ctx, config, 5);
const trainer = new Trainer(params, { lr: 1e-3, clip: 1.0 });
const ids = Int32Array.from({ length: batch * seqLen }, (_, i) => (i * 104729 + 7) % config.vocabSize);
const step = () => trainer.step({ ids, batch, seqLen });
console.log(`${ctx.describe()}\n${small ? 'small' : 'mamba-130m'} f32, batch ${batch} x L ${seqLen}`);

const wall = await measure(step, { warmup: 2, samples: 4, minSamples: 2 });
console.log(`step wall: ${wall.median.toFixed(1)} ms (${((batch * seqLen) / wall.median) * 1000} tok/s)`);

// CPU recording: time until step() has recorded everything (its promise resolves after the GPU).
const d0 = ctx.dispatchCount;
const t0 = performance.now();
const pending = step();
const recordMs = performance.now() - t0;
await pending;
const dispatches = ctx.dispatchCount - d0;
console.log(
  `recording (CPU, before the GPU is awaited): ${recordMs.toFixed(1)} ms, ${dispatches} dispatches`,
);

const { kernels } = await ctx.profileKernels(step);
const gpuMs = kernels.reduce((a, k) => a + k.ms, 0);
console.log(`GPU time, dispatches timed alone: ${gpuMs.toFixed(1)} ms over ${kernels.length} kernel labels`);
for (const k of kernels.slice(0, 30)) {
  console.log(
    `  ${k.ms.toFixed(2).padStart(10)} ms  ${((100 * k.ms) / gpuMs).toFixed(1).padStart(5)}%  x${String(k.count).padEnd(5)} ${k.label}`,
  );
}
if (process.env.OUT) {
  writeFileSync(
    join(process.env.OUT, 'profile-train.json'),
    JSON.stringify(
      { adapter: ctx.describe(), batch, seqLen, wallMs: wall.median, recordMs, dispatches, gpuMs, kernels },
      null,
      1,
    ),
  );
}
trainer.dispose();
params.dispose();
ctx.dispose();
