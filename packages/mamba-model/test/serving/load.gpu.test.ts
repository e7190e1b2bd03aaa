// The bounded load test on loopback: 64 concurrent streaming completions of mixed prompt and
// output lengths through the official `openai` client into 8 state slots, with 8 more streams
// cancelled mid-way. Every stream completes with its full length, its ids equal a solo run of
// the same request, the cancelled ones free their slots, and /metrics counts the first tokens.

import { fileURLToPath } from 'node:url';
import { getGpuContext } from '@mamba-webgpu/tensor';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { createEngine, type Engine } from '../../src/serving/engine.js';
import { createServer, type RunningServer } from '../../src/serving/node-server.js';

const fixture = fileURLToPath(new URL('../fixtures/mamba-tiny', import.meta.url));
const STREAMS = 64;
const CANCELLED = 8;

let model: MambaModel;
let engine: Engine;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  model = await loadModel(fixture, { ctx: await getGpuContext(), progress: false });
  engine = createEngine(model, { slots: 8, queue: STREAMS + CANCELLED, modelName: 'tiny' });
  server = await createServer(engine, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close({ cancel: true });
  model?.dispose();
});

interface Req {
  prompt: number[];
  max_tokens: number;
  seed: number;
}

/** Deterministic mixed requests: prompts of 1-24 ids, 2-24 tokens out. */
function requests(vocab: number): Req[] {
  let s = 12345;
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  return Array.from({ length: STREAMS }, (_, i) => ({
    prompt: Array.from({ length: 1 + next(24) }, () => 1 + next(vocab - 1)),
    max_tokens: 2 + next(23),
    seed: 100 + i,
  }));
}

const body = (r: Req) => ({
  model: 'tiny',
  prompt: r.prompt,
  max_tokens: r.max_tokens,
  seed: r.seed,
  temperature: 0.9,
  top_p: 0.95,
  // vLLM-style extensions the server accepts: every chunk carries its ids.
  ignore_eos: true,
  return_token_ids: true,
});

type IdChunk = { choices: { token_ids?: number[]; finish_reason: string | null }[] };

async function streamIds(r: Req, cancelAfterChunks?: number) {
  const controller = new AbortController();
  const stream = await client.completions.create(
    { ...body(r), stream: true } as unknown as OpenAI.CompletionCreateParamsStreaming,
    { signal: controller.signal },
  );
  const ids: number[] = [];
  let finish: string | null = null;
  let chunks = 0;
  try {
    for await (const chunk of stream as AsyncIterable<IdChunk>) {
      const choice = chunk.choices[0]!;
      ids.push(...(choice.token_ids ?? []));
      finish = choice.finish_reason ?? finish;
      if (cancelAfterChunks !== undefined && ++chunks >= cancelAfterChunks) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { ids, finish };
}

describe('load: 64 concurrent streams into 8 slots', () => {
  it('all complete, none garbled (ids equal solo runs); cancellations under load free their slots', async () => {
    const reqs = requests(model.config.vocabSize);
    const t0 = performance.now();
    const [outcomes, cancelled] = await Promise.all([
      Promise.all(reqs.map((r) => streamIds(r))),
      Promise.all(
        Array.from({ length: CANCELLED }, (_, i) =>
          streamIds({ prompt: [3, 1 + i], max_tokens: 4000, seed: i }, 3),
        ),
      ),
    ]);
    const wall = (performance.now() - t0) / 1000;
    const tokens = outcomes.reduce((n, o) => n + o.ids.length, 0);
    console.log(
      `load test (lavapipe, mamba-tiny, 8 slots): ${STREAMS} streams + ${CANCELLED} cancelled in ${wall.toFixed(2)} s: ` +
        `${(STREAMS / wall).toFixed(2)} req/s, ${(tokens / wall).toFixed(1)} tok/s aggregate`,
    );
    for (const [i, o] of outcomes.entries()) {
      expect(o.finish, `stream ${i}`).toBe('length');
      expect(o.ids, `stream ${i}`).toHaveLength(reqs[i]!.max_tokens);
    }
    for (const c of cancelled) expect(c.ids.length).toBeLessThan(4000);

    // The cancelled rows leave at the engine's next step; nothing stays queued or decoding.
    for (let i = 0; i < 200 && engine.stats().activeRows + engine.stats().queuedRows > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(engine.stats()).toMatchObject({ activeRows: 0, queuedRows: 0 });

    // Solo: each request alone (in-process, not streamed) gives the same ids.
    for (const [i, r] of reqs.entries()) {
      const solo = await engine.completions.create({ ...body(r), stream: false });
      expect(solo.choices[0]!.token_ids, `stream ${i} solo`).toEqual(outcomes[i]!.ids);
    }

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const count = Number(/mamba_time_to_first_token_seconds_count (\d+)/.exec(metrics)?.[1]);
    expect(count).toBeGreaterThanOrEqual(2 * STREAMS + CANCELLED);
  }, 300_000);
});
