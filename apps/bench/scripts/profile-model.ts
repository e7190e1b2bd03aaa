// Where the model's time goes (H200 investigation): readback latency, CPU recording time, GPU
// time of prefill and of one decode step, capture cost. Bundle with esbuild and run on the GPU
// machine: node .bench-out/profile-model.js
import { MambaModel, parseMambaConfig, randomWeights } from '@mamba-webgpu/mamba-model';
import { getGpuContext, matmul, Tensor } from '@mamba-webgpu/tensor';
import { backbonePrefill } from '../../../packages/mamba-model/src/model/forward.js';
import { backboneStep } from '../../../packages/mamba-model/src/model/decode.js';
import type { LayerState } from '../../../packages/mamba-model/src/model/forward.js';
import { zeros } from '@mamba-webgpu/tensor';
import { MAMBA_130M } from '../src/suites/model.js';

const ctx = await getGpuContext();
const config = parseMambaConfig(MAMBA_130M);
const weights = randomWeights(ctx, config, { seed: 3 });
await ctx.sync();
const model = MambaModel.fromWeights(ctx, config, weights);
const now = () => performance.now();
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// 1. readback latency of a tiny buffer with an idle queue.
using small = zeros(ctx, [4], 'f32');
const rt: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = now();
  await small.read();
  rt.push(now() - t);
}
console.log(`readback round trip (idle): ${med(rt).toFixed(3)} ms`);

for (const L of [256, 2048]) {
  const ids = Array.from({ length: L }, (_, t) => (t * 7919) % 50280);
  using idT = Tensor.fromArray(ctx, ids, [1, L], 'i32');
  for (let w = 0; w < 2; w++) {
    using h = backbonePrefill(config, weights, idT, 1, L);
    await ctx.sync();
  }
  const cpu: number[] = [];
  const gpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = now();
    let tRec = 0;
    const g = await ctx.timeGpu(() => {
      const t = now();
      const h = backbonePrefill(config, weights, idT, 1, L);
      tRec = now() - t;
      h.dispose();
    });
    wall.push(now() - t0);
    cpu.push(tRec);
    gpu.push(g ?? NaN);
  }
  console.log(
    `prefill L=${L}: record ${med(cpu).toFixed(2)} ms CPU, GPU ${med(gpu).toFixed(3)} ms, wall ${med(wall).toFixed(2)} ms, dispatches/run ~${ctx.dispatchCount}`,
  );
}

for (const batch of [1, 8, 64]) {
  const states: LayerState[] = weights.layers.map(() => ({
    conv: zeros(ctx, [batch, config.dInner, config.dConv], 'f32'),
    ssm: zeros(ctx, [batch, config.dInner, config.dState], 'f32'),
  }));
  using ids = zeros(ctx, [batch], 'i32');
  const t0 = now();
  const rec = ctx.captureSequence('profile', () => {
    using h = backboneStep(config, weights, ids, batch, states);
    using l = matmul(h, weights.lmHead);
  });
  const tCap = now() - t0;
  for (let w = 0; w < 3; w++) rec.replay();
  await ctx.sync();
  const gpu: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 10; i++) {
    let c = 0;
    gpu.push(
      (await ctx.timeGpu(() => {
        const t = now();
        rec.replay();
        c = now() - t;
      })) ?? NaN,
    );
    cpu.push(c);
  }
  // 32 steps back to back, wall clock.
  const tw = now();
  for (let i = 0; i < 32; i++) {
    rec.replay();
    ctx.flush();
  }
  await ctx.sync();
  const wall32 = (now() - tw) / 32;
  console.log(
    `decode batch=${batch}: ${rec.length} dispatches, capture ${tCap.toFixed(2)} ms, replay CPU ${med(cpu).toFixed(3)} ms, GPU ${med(gpu).toFixed(3)} ms/step, back-to-back wall ${wall32.toFixed(3)} ms/step`,
  );
  if (batch !== 8) {
    // GPU time per kernel label: each dispatch timed alone (includes a pass's fixed cost).
    const perLabel = new Map<string, number>();
    const labels = rec.labels;
    for (let i = 0; i < labels.length; i++) {
      const g = (await ctx.timeGpu(() => rec.replay(i, i + 1))) ?? 0;
      perLabel.set(labels[i]!, (perLabel.get(labels[i]!) ?? 0) + g);
    }
    const rows = [...perLabel].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}us`);
    console.log(`  batch=${batch} per-kernel (sum of solo passes): ${rows.join(', ')}`);
  }
  rec.dispose();
  for (const s of states) {
    s.conv.dispose();
    s.ssm.dispose();
  }
}
// generate() end to end, warm (cached graph and prefill capture).
const prompt = [Array.from({ length: 256 }, (_, t) => (t * 7919) % 50280)];
for (let i = 0; i < 4; i++) {
  const t = now();
  await model.generate(prompt, { maxTokens: 1, eos: false });
  console.log(`generate(L=256, maxTokens=1) #${i}: ${(now() - t).toFixed(2)} ms`);
}
// The same, by phase (internal API): host writes, prefill replay (JS), flush (Dawn finish+submit), wait.
const graph = (model as unknown as { acquireGraph(b: number): any }).acquireGraph(1);
const flat = Int32Array.from(prompt[0]!);
for (let i = 0; i < 4; i++) {
  const t0 = now();
  graph.sampler.reset({ temperature: 0, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, seed: 0 }, prompt);
  const t1 = now();
  graph.prefill(flat, 256);
  const t2 = now();
  ctx.flush();
  const t3 = now();
  await graph.sampler.readTokens(0, 1);
  const t4 = now();
  console.log(
    `  phases: reset ${(t1 - t0).toFixed(2)} ms, prefill replay ${(t2 - t1).toFixed(2)} ms, flush ${(t3 - t2).toFixed(2)} ms, read ${(t4 - t3).toFixed(2)} ms`,
  );
}
for (const L of [256, 2048]) {
  const ids = Int32Array.from({ length: L }, (_, t) => (t * 7919) % 50280);
  graph.prefill(ids, L);
  await ctx.sync();
  const rec = graph.prefills.get(L).recording;
  const whole = await ctx.timeGpu(() => rec.replay());
  const perLabel = new Map<string, number>();
  const labels: string[] = rec.labels;
  for (let i = 0; i < labels.length; i++) {
    const g = (await ctx.timeGpu(() => rec.replay(i, i + 1))) ?? 0;
    perLabel.set(labels[i]!, (perLabel.get(labels[i]!) ?? 0) + g);
  }
  const rows = [...perLabel].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}us`);
  console.log(
    `prefill L=${L} replay: ${labels.length} dispatches, GPU ${whole?.toFixed(3)} ms in one pass; per kernel: ${rows.join(', ')}`,
  );
}
process.exit(0);
