// The serve suite: the OpenAI-compatible server under load on the mamba-130m config (random
// weights): 64 concurrent streaming completions over loopback HTTP into 64 state slots, aggregate
// tokens/s and time to first token (p50/p99, client side), beside the plain batch-64 decode of the
// same model in the same run (the target: at least 80% of it). Two loads: equal lengths
// (256 tokens each, mixed prompts) and mixed lengths. A few requests are re-run alone to check
// that their ids do not depend on the batch. CPU adapters: a small config, 8 slots, 16 streams.

import { MambaModel, createEngine, parseMambaConfig, randomWeights } from '@mamba-webgpu/mamba-model';
import { createServer } from '@mamba-webgpu/mamba-model/node';
import type { GpuContext } from '@mamba-webgpu/tensor';
import { sampleFields, warmUpGpu } from '../runner.js';
import { type LoadRequest, mixedRequests, runLoad, streamCompletion } from '../serve/load.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';
import { MAMBA_130M, MAMBA_SMALL, measureDecode } from './model.js';

function plan(sizing: BenchContext['sizing']) {
  return sizing === 'full'
    ? {
        configName: 'mamba-130m (random, f32)',
        config: MAMBA_130M,
        slots: 64,
        streams: 64,
        tokens: 256,
        solo: 4,
      }
    : {
        configName: 'small (d_model 128, 4 layers, f32)',
        config: MAMBA_SMALL,
        slots: 8,
        streams: 16,
        tokens: 16,
        solo: 2,
      };
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const gpu: GpuContext = ctx.gpu!;
  const p = plan(ctx.sizing);
  const config = parseMambaConfig(p.config, p.configName);
  const total = 5;
  ctx.progress(0, total, 'building random weights');
  const model = MambaModel.fromWeights(gpu, config, randomWeights(gpu, config, { seed: 7 }));
  const engine = createEngine(model, { slots: p.slots, queue: p.streams, modelName: 'mamba' });
  const server = await createServer(engine, { port: 0 });
  const rows: BenchRow[] = [];
  const shape = `${p.streams} streams, ${p.slots} slots`;
  try {
    await gpu.sync('bench/serve');
    if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
    ctx.progress(1, total, `decode batch=${p.slots}`);
    const steps = Math.min(64, p.tokens);
    const decode = await measureDecode(model, p.slots, steps, 3, ctx.timeBudgetMs / 4);
    const batchTokS = (p.slots * 1000) / decode.median;
    rows.push({
      suite: 'serve',
      name: 'decode (generate, no server)',
      shape: `batch=${p.slots}`,
      value: batchTokS,
      unit: 'tok/s',
      ...sampleFields(decode),
      extra: { 'ms/step': Number(decode.median.toFixed(3)), config: p.configName },
    });

    const loads: [string, LoadRequest[]][] = [
      [
        `equal lengths (${p.tokens} tokens)`,
        mixedRequests(p.streams, {
          vocab: config.vocabSize,
          minPrompt: 16,
          maxPrompt: 128,
          minTokens: p.tokens,
          maxTokens: p.tokens,
        }),
      ],
      [
        `mixed lengths (${p.tokens / 8}-${p.tokens} tokens)`,
        mixedRequests(p.streams, {
          vocab: config.vocabSize,
          minPrompt: 8,
          maxPrompt: 256,
          minTokens: p.tokens / 8,
          maxTokens: p.tokens,
          seed: 2,
        }),
      ],
    ];
    let step = 2;
    for (const [label, requests] of loads) {
      ctx.progress(step++, total, label);
      if (ctx.sizing === 'full') await warmUpGpu(gpu, 200);
      const load = await runLoad(server.url, requests);
      const complete = load.outcomes.filter(
        (o, i) => o.finishReason === 'length' && o.ids.length === requests[i]!.maxTokens,
      );
      if (complete.length !== requests.length) {
        throw new Error(
          `serve: ${requests.length - complete.length} of ${requests.length} streams did not complete (${label})`,
        );
      }
      // Solo re-runs of the first few: the same ids alone as in the full batch.
      let soloSame = 0;
      for (let i = 0; i < p.solo; i++) {
        const solo = await streamCompletion(server.url, requests[i]!);
        if (solo.ids.join() === load.outcomes[i]!.ids.join()) soloSame++;
      }
      rows.push({
        suite: 'serve',
        name: `server: ${label}`,
        shape,
        value: load.tokensPerSecond,
        unit: 'tok/s',
        extra: {
          'vs decode': Number((load.tokensPerSecond / batchTokS).toFixed(3)),
          'steady tok/s': Number.isFinite(load.steadyTokensPerSecond)
            ? Math.round(load.steadyTokensPerSecond)
            : '-',
          'steady vs decode': Number.isFinite(load.steadyTokensPerSecond)
            ? Number((load.steadyTokensPerSecond / batchTokS).toFixed(3))
            : '-',
          'req/s': Number(load.requestsPerSecond.toFixed(2)),
          'TTFT p50 ms': Number(load.ttftP50Ms.toFixed(1)),
          'TTFT p99 ms': Number(load.ttftP99Ms.toFixed(1)),
          'wall s': Number((load.wallMs / 1000).toFixed(2)),
          tokens: load.tokens,
          'solo-identical': `${soloSame}/${p.solo}`,
        },
      });
    }
    ctx.progress(total, total, 'done');
  } finally {
    await server.close({ cancel: true });
    model.dispose();
  }
  return rows;
}

export const serveSuite: BenchSuite = {
  name: 'serve',
  description: 'OpenAI-compatible server: 64 concurrent streams, aggregate tok/s and TTFT vs batch-64 decode',
  needsGpu: true,
  run,
};
