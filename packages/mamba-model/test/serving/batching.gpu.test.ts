// Continuous batching on the tiny fixture (ids in, ids out): the engine's greedy ids equal Hugging
// Face's, a request's tokens do not depend on which requests share its batch or when it joins,
// cancellation frees slots, and bad requests fail with typed errors before any GPU work.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToInt32, readAllTensors } from '../../src/index.js';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { createEngine, type Engine } from '../../src/serving/engine.js';
import { InvalidRequestError, QueueFullError } from '../../src/serving/errors.js';
import type { CompletionCreateParams } from '../../src/serving/types.js';

const fixture = fileURLToPath(new URL('../fixtures/mamba-tiny', import.meta.url));

let model: MambaModel;
let engine: Engine;
let hfPrompt: number[];
let hfGreedy: number[];

beforeAll(async () => {
  model = await loadModel(fixture, { ctx: await getGpuContext(), progress: false });
  engine = createEngine(model, { slots: 4, queue: 8 });
  const tensors = await readAllTensors(
    bytesSource(new Uint8Array(await readFile(`${fixture}/expected.safetensors`)), 'expected.safetensors'),
  );
  hfPrompt = Array.from(decodeToInt32(tensors.get('prompt_ids')!));
  hfGreedy = Array.from(decodeToInt32(tensors.get('greedy_ids')!)).slice(hfPrompt.length);
});

afterAll(async () => {
  await engine?.close({ cancel: true });
  model?.dispose();
});

const request = (prompt: number[], extra: Partial<CompletionCreateParams> = {}): CompletionCreateParams => ({
  prompt,
  max_tokens: 20,
  temperature: 0.9,
  top_p: 0.95,
  seed: 7,
  ignore_eos: true,
  return_token_ids: true,
  ...extra,
});

async function ids(body: CompletionCreateParams, signal?: AbortSignal): Promise<number[][]> {
  const out = await engine.completions.create({ ...body, stream: false }, signal ? { signal } : {});
  return out.choices.map((c) => c.token_ids!);
}

const prompts = {
  a: [5, 17, 300, 42, 9],
  b: [1, 2, 3],
  c: [400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410],
  d: [77],
};

describe('engine on mamba-tiny', () => {
  it('greedy ids equal Hugging Face generate()', async () => {
    const out = await engine.completions.create({
      prompt: hfPrompt,
      max_tokens: hfGreedy.length,
      temperature: 0,
      ignore_eos: true,
      return_token_ids: true,
    });
    expect(out.object).toBe('text_completion');
    expect(out.choices[0]!.token_ids).toEqual(hfGreedy);
    expect(out.choices[0]!.finish_reason).toBe('length');
    expect(out.usage).toEqual({
      prompt_tokens: hfPrompt.length,
      completion_tokens: hfGreedy.length,
      total_tokens: hfPrompt.length + hfGreedy.length,
    });
  });

  it("a request's tokens do not depend on which requests share its batch or when it joins", async () => {
    const bodies = {
      a: request(prompts.a),
      b: request(prompts.b, { seed: 1, max_tokens: 40, repetition_penalty: 1.3 }),
      c: request(prompts.c, { seed: 2, top_k: 20, min_p: 0.05, max_tokens: 12 }),
      d: request(prompts.d, { temperature: 0, max_tokens: 30 }),
    };
    const solo: Record<string, number[][]> = {};
    for (const [name, body] of Object.entries(bodies)) solo[name] = await ids(body);
    // Together: b starts alone, a and c join while b decodes, d joins later, n = 2 of a fills the
    // batch past its 4 slots (a queued row joins when one leaves).
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, engine.stats().activeRows);
    }, 5);
    const bRun = ids(bodies.b);
    await new Promise((r) => setTimeout(r, 30));
    const aRun = ids(bodies.a);
    const cRun = ids(bodies.c);
    await new Promise((r) => setTimeout(r, 30));
    const dRun = ids(bodies.d);
    const pairRun = ids({ ...bodies.a, n: 2 });
    const [a, b, c, d, pair] = await Promise.all([aRun, bRun, cRun, dRun, pairRun]);
    clearInterval(watch);
    expect(peak).toBe(4);
    expect(a).toEqual(solo.a);
    expect(b).toEqual(solo.b);
    expect(c).toEqual(solo.c);
    expect(d).toEqual(solo.d);
    // n = 2: choice 0 draws as the request alone, choice 1 differently.
    expect(pair[0]).toEqual(solo.a![0]);
    expect(pair[1]).not.toEqual(solo.a![0]);
    expect(solo.a![0]).toHaveLength(20);
    expect(engine.stats()).toMatchObject({ activeRows: 0, queuedRows: 0 });
  });

  it('streams chunks whose ids add up to the non-streamed ones; the last carries finish_reason and usage', async () => {
    const body = request(prompts.c, { max_tokens: 9 });
    const whole = await ids(body);
    const stream = await engine.completions.create({ ...body, stream: true });
    const got: number[] = [];
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      got.push(...(chunk.choices[0]!.token_ids ?? []));
    }
    expect(got).toEqual(whole[0]);
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('length');
    expect(last.usage).toEqual({
      prompt_tokens: prompts.c.length,
      completion_tokens: 9,
      total_tokens: prompts.c.length + 9,
    });
    expect(chunks.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
  });

  it('cancellation (AbortSignal, or leaving a stream) frees the slot', async () => {
    const controller = new AbortController();
    const long = ids(request(prompts.a, { max_tokens: 4000 }), controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.stats().activeRows).toBe(1);
    controller.abort();
    await expect(long).rejects.toThrow(/abort/i);
    const stream = await engine.completions.create({
      ...request(prompts.b, { max_tokens: 4000 }),
      stream: true,
    });
    let seen = 0;
    for await (const _ of stream) if (++seen === 3) break;
    // Slots are freed at the batcher's next step; a short request afterwards sees them free.
    await ids(request(prompts.d, { max_tokens: 2 }));
    expect(engine.stats()).toMatchObject({ activeRows: 0, queuedRows: 0 });
  });

  it('refuses bad requests with typed errors naming the field', async () => {
    const bad: [Partial<CompletionCreateParams> & Record<string, unknown>, string][] = [
      [{ max_tokens: 0 }, 'max_tokens'],
      [{ max_tokens: 5000 }, 'max_tokens'],
      [{ max_tokens: 2.5 }, 'max_tokens'],
      [{ temperature: 'hot' as unknown as number }, 'temperature'],
      [{ top_p: 0 }, 'top_p'],
      [{ seed: -1 }, 'seed'],
      [{ n: 0 }, 'n'],
      [{ stop: [''] }, 'stop'],
      [{ stream: 'yes' as unknown as boolean }, 'stream'],
      [{ prompt: [] }, 'prompt'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 'text without a tokenizer' }, 'prompt'],
      [{ prompt: [1, 512] }, 'prompt'],
      [{ prompt: [1, -1] }, 'prompt'],
      [{ prompt: [[1], [2, 1.5]] }, 'prompt[1]'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
    ];
    for (const [fields, param] of bad) {
      const error = await engine.completions
        .create({ ...request(prompts.a), ...fields } as CompletionCreateParams)
        .catch((e) => e);
      expect(error, JSON.stringify(fields)).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param, JSON.stringify(fields)).toBe(param);
      expect((error as Error).message).toMatch(/^completions\.create: /);
    }
    await expect(
      engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow(/no chat template/);
    expect(engine.stats().decodeSteps).toBeGreaterThan(0);
  });

  it('a full queue answers QueueFullError', async () => {
    const small = createEngine(model, { slots: 1, queue: 1 });
    const first = ids(request(prompts.a, { max_tokens: 30 })); // on the shared engine: unrelated
    const running = small.completions.create(request(prompts.a, { max_tokens: 30 }));
    const queued = small.completions.create(request(prompts.b, { max_tokens: 3 }));
    await expect(small.completions.create(request(prompts.c))).rejects.toBeInstanceOf(QueueFullError);
    await Promise.all([first, running, queued]);
    await small.close();
  });
});
