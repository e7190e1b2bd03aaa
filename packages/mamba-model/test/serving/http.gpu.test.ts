// The HTTP server through the official `openai` client, on loopback with a random port: models,
// completions and chat (streamed and not, n > 1), OpenAI-style errors (400 with the field, 429 on
// a full queue), /health, and a client that disconnects mid-stream freeing its slot.

import { rmSync } from 'node:fs';
import { getGpuContext } from '@mamba-webgpu/tensor';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { createEngine, type Engine } from '../../src/serving/engine.js';
import { createServer, type RunningServer } from '../../src/serving/node-server.js';
import { writeTextCheckpoint } from '../loading/text-checkpoint.js';

let dir: string;
let model: MambaModel;
let engine: Engine;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  dir = writeTextCheckpoint();
  model = await loadModel(dir, { ctx: await getGpuContext(), progress: false });
  engine = createEngine(model, { slots: 2, queue: 4, modelName: 'tiny-neox' });
  server = await createServer(engine, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close({ cancel: true });
  model?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sampling = { temperature: 0.7, seed: 11, max_tokens: 5 } as const;

describe('HTTP server with the openai client', () => {
  it('listens on loopback; /v1/models and /health answer', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny-neox']);
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', slots: 2 });
  });

  it('completions and chat, streamed and not, equal the in-process engine', async () => {
    const direct = await engine.completions.create({ prompt: 'Hello world', ...sampling });
    const viaHttp = await client.completions.create({
      model: 'tiny-neox',
      prompt: 'Hello world',
      ...sampling,
    });
    expect(viaHttp.choices[0]!.text).toBe(direct.choices[0]!.text);
    expect(viaHttp.usage).toEqual(direct.usage);

    const messages = [{ role: 'user' as const, content: 'Hi there' }];
    const chat = await client.chat.completions.create({ model: 'tiny-neox', messages, ...sampling, n: 2 });
    expect(chat.choices.map((c) => c.index)).toEqual([0, 1]);
    const stream = await client.chat.completions.create({
      model: 'tiny-neox',
      messages,
      ...sampling,
      stream: true,
    });
    let content = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(content).toBe(chat.choices[0]!.message.content);
    expect(finish).toBe('length');
  });

  it('answers malformed and invalid requests with OpenAI-style 400s', async () => {
    const error = await client.completions
      .create({ model: 'tiny-neox', prompt: 'x', max_tokens: 0 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.param).toBe('max_tokens');
    const ids = await client.completions
      .create({ model: 'tiny-neox', prompt: [1, 99999999] })
      .catch((e) => e);
    expect(ids.status).toBe(400);
    const res = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      body: '{"prompt": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe('invalid_request_error');
    const big = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x'.repeat(2 << 20) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
  });

  it('a full queue answers 429; a client leaving mid-stream frees its slot', async () => {
    const small = createEngine(model, { slots: 1, queue: 0 });
    const smallServer = await createServer(small, { port: 0 });
    const smallClient = new OpenAI({ baseURL: `${smallServer.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const controller = new AbortController();
    const stream = await smallClient.completions.create(
      { model: 'm', prompt: 'Long', max_tokens: 4000, temperature: 0, stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the row is decoding
    const refused = await smallClient.completions
      .create({ model: 'm', prompt: 'x', max_tokens: 2 })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    controller.abort();
    await iterator.next().catch(() => undefined);
    // The disconnect reaches the engine at its next step; then the slot takes a new request.
    for (let i = 0; i < 100 && small.stats().activeRows > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(small.stats().activeRows).toBe(0);
    const after = await smallClient.completions.create({ model: 'm', prompt: 'x', max_tokens: 2 });
    expect(after.choices[0]!.finish_reason).toBeDefined();
    await smallServer.close();
  });
});
