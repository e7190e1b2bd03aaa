// Where the model's time goes (H200 investigation): readback latency, CPU recording time, GPU
// time of prefill and of one decode step, capture cost, GPU time per kernel label. Every figure
// is a median from measure(). Run: `pnpm profile` (mamba-130m shapes; small ones on CPU adapters;
// PROFILE_CONFIG=2.8b for mamba-2.8b's, PROFILE_DTYPE=bf16|q8|q4 for the weight matrices).
import { MambaModel, parseMambaConfig, randomWeights } from '@mamba-webgpu/mamba-model';
import { type Recording, Tensor, getGpuContext, matmul, zeros } from '@mamba-webgpu/tensor';
import { measure, median } from '@mamba-webgpu/tensor/internal';
import { backboneStep, prepareDecode } from '../../../packages/mamba-model/src/model/decode.js';
import { type LayerState, backbonePrefill } from '../../../packages/mamba-model/src/model/forward.js';
import { MAMBA_130M, MAMBA_SMALL } from '../src/suites/model.js';
import { MAMBA_2_8B } from '../src/suites/quant.js';

const ctx = await getGpuContext();
const small = ctx.adapter.isCpu;
const config = parseMambaConfig(
  small ? MAMBA_SMALL : process.env.PROFILE_CONFIG === '2.8b' ? MAMBA_2_8B : MAMBA_130M,
);
const dtype = (process.env.PROFILE_DTYPE ?? 'f32') as 'f32' | 'bf16' | 'q8' | 'q4';
const weights = randomWeights(ctx, config, { seed: 3, dtype });
console.log(`config: d_model ${config.dModel}, ${config.nLayer} layers, weights ${dtype}`);
await ctx.sync();
const model = MambaModel.fromWeights(ctx, config, weights);
const big = process.env.PROFILE_CONFIG === '2.8b';
const prefillLengths = small ? [64, 256] : big ? [256] : [256, 2048];
const decodeBatches = small ? [1, 8] : big ? [1, 8] : [1, 8, 64];
const ms = (value: number, digits = 3) => `${value.toFixed(digits)} ms`;

/** GPU time per kernel label, each dispatch of `rec` timed alone (includes a pass's fixed cost). */
async function perLabel(rec: Recording): Promise<string> {
  const totals = new Map<string, number>();
  const labels = rec.labels;
  for (let i = 0; i < labels.length; i++) {
    const m = await measure(ctx, () => rec.replay(i, i + 1), { warmup: 0, samples: 3 });
    totals.set(labels[i]!, (totals.get(labels[i]!) ?? 0) + m.median);
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([label, total]) => `${label} ${(total * 1000).toFixed(0)}us`)
    .join(', ');
}

// 1. Readback latency of a tiny buffer with an idle queue.
{
  using tiny = zeros(ctx, [4], 'f32');
  const m = await measure(() => tiny.read(), { warmup: 2, samples: 20 });
  console.log(`${ctx.describe()}\nreadback round trip (idle): ${ms(m.median)} (${m.clock})`);
}

// 2. Prefill: CPU time to record the forward pass, GPU time, wall clock to completion.
for (const L of prefillLengths) {
  const ids = Array.from({ length: L }, (_, t) => (t * 7919) % config.vocabSize);
  using idTensor = Tensor.fromArray(ctx, ids, [1, L], 'i32');
  const cpu: number[] = [];
  const record = () => {
    const start = performance.now();
    const h = backbonePrefill(config, weights, idTensor, 1, L);
    cpu.push(performance.now() - start);
    h.dispose();
  };
  const before = ctx.dispatchCount;
  const gpu = await measure(ctx, record, { warmup: 2, samples: 5 });
  const dispatches = (ctx.dispatchCount - before) / cpu.length;
  const wall = await measure(ctx, record, { warmup: 0, samples: 5, wallClock: true });
  console.log(
    `prefill L=${L}: record ${ms(median(cpu), 2)} CPU, GPU ${ms(gpu.median)} (${gpu.clock}), wall ${ms(wall.median, 2)}, dispatches/run ${dispatches}`,
  );
}

// 3. Decode: capture cost, replay CPU time, GPU time per step, 32 steps back to back.
for (const batch of decodeBatches) {
  const states: LayerState[] = weights.layers.map(() => ({
    conv: zeros(ctx, [batch, config.dInner, config.dConv], 'f32'),
    ssm: zeros(ctx, [batch, config.dInner, config.dState], 'f32'),
  }));
  using ids = zeros(ctx, [batch], 'i32');
  using prepared = prepareDecode(weights);
  const captureStart = performance.now();
  const rec = ctx.captureSequence('profile', () => {
    using h = backboneStep(config, weights, ids, states, prepared);
    using _logits = matmul(h, weights.lmHead);
  });
  const captureMs = performance.now() - captureStart;
  const cpu: number[] = [];
  const gpu = await measure(
    ctx,
    () => {
      const start = performance.now();
      rec.replay();
      cpu.push(performance.now() - start);
    },
    { warmup: 3, samples: 10 },
  );
  const backToBack = await measure(
    async () => {
      for (let i = 0; i < 32; i++) {
        rec.replay();
        ctx.flush();
      }
      await ctx.sync();
    },
    { warmup: 1, samples: 3 },
  );
  console.log(
    `decode batch=${batch}: ${rec.length} dispatches, capture ${ms(captureMs, 2)}, replay CPU ${ms(median(cpu))}, GPU ${ms(gpu.median)}/step (${gpu.clock}), back-to-back wall ${ms(backToBack.median / 32)}/step`,
  );
  if (batch !== 8) console.log(`  batch=${batch} per-kernel (sum of solo passes): ${await perLabel(rec)}`);
  rec.dispose();
  for (const s of states) {
    s.conv.dispose();
    s.ssm.dispose();
  }
}

// 4. generate() end to end, warm (cached graph and prefill capture).
const prompt = [Array.from({ length: 256 }, (_, t) => (t * 7919) % config.vocabSize)];
const generate = await measure(() => model.generate(prompt, { maxTokens: 1, eos: false }), {
  warmup: 1,
  samples: 4,
});
console.log(
  `generate(L=256, maxTokens=1): ${ms(generate.median, 2)} (min ${ms(generate.min, 2)}, max ${ms(generate.max, 2)})`,
);

// 5. The same, by phase (internal API): host writes, prefill replay (JS), flush (Dawn finish +
// submit), wait for the first id.
// biome-ignore lint/suspicious/noExplicitAny: the generation graph is internal to mamba-model.
const graph = (model as unknown as { acquireGraph(b: number): any }).acquireGraph(1);
const flat = Int32Array.from(prompt[0]!);
const phases = {
  reset: [] as number[],
  prefill: [] as number[],
  flush: [] as number[],
  read: [] as number[],
};
await measure(
  async () => {
    const t0 = performance.now();
    graph.sampler.reset({ temperature: 0, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, seed: 0 }, prompt);
    const t1 = performance.now();
    graph.prefill(flat, 256);
    const t2 = performance.now();
    ctx.flush();
    const t3 = performance.now();
    await graph.sampler.readTokens(0, 1);
    const t4 = performance.now();
    phases.reset.push(t1 - t0);
    phases.prefill.push(t2 - t1);
    phases.flush.push(t3 - t2);
    phases.read.push(t4 - t3);
  },
  { warmup: 0, samples: 4 },
);
console.log(
  `  phases: ${Object.entries(phases)
    .map(([phase, times]) => `${phase} ${ms(median(times), 2)}`)
    .join(', ')}`,
);

// 6. The captured prefill per kernel label.
for (const L of prefillLengths) {
  const ids = Int32Array.from({ length: L }, (_, t) => (t * 7919) % config.vocabSize);
  graph.prefill(ids, L);
  await ctx.sync();
  const rec: Recording = graph.prefills.get(L).recording;
  const whole = await measure(ctx, () => rec.replay(), { warmup: 1, samples: 5 });
  console.log(
    `prefill L=${L} replay: ${rec.length} dispatches, GPU ${ms(whole.median)} in one pass (${whole.clock}); per kernel: ${await perLabel(rec)}`,
  );
}
process.exit(0);
