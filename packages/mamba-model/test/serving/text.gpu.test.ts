// Text through the engine with the GPT-NeoX tokenizer: completions from text, chat through the
// checkpoint's chat template (streamed and not), stop strings (across tokens, in streams too).

import { rmSync } from 'node:fs';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { createEngine, type Engine } from '../../src/serving/engine.js';
import { ChatTemplateError } from '../../src/serving/errors.js';
import type { ChatCompletionChunk, CompletionChunk } from '../../src/serving/types.js';
import { writeTextCheckpoint } from '../loading/text-checkpoint.js';

let dir: string;
let model: MambaModel;
let engine: Engine;

beforeAll(async () => {
  dir = writeTextCheckpoint();
  model = await loadModel(dir, { ctx: await getGpuContext(), progress: false });
  // One slot: every slot decodes each step, and the batching properties are tested on mamba-tiny.
  engine = createEngine(model, { slots: 1, modelName: 'tiny-neox' });
});

afterAll(async () => {
  await engine?.close({ cancel: true });
  model?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sampling = { temperature: 0.8, seed: 5, ignore_eos: true } as const;

describe('engine with a tokenizer', () => {
  it('completes text; the text is the decoded ids', async () => {
    const out = await engine.completions.create({
      prompt: 'Mamba is a',
      max_tokens: 12,
      return_token_ids: true,
      ...sampling,
    });
    expect(out.model).toBe('tiny-neox');
    expect(out.id).toMatch(/^cmpl-/);
    const choice = out.choices[0]!;
    expect(choice.token_ids).toHaveLength(12);
    expect(choice.text).toBe(model.tokenizer!.decode(choice.token_ids!));
    expect(out.usage.prompt_tokens).toBe(model.tokenizer!.encode('Mamba is a').length);
  });

  it('chat renders the checkpoint template, streamed and not', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is a state space model?' },
    ];
    const rendered =
      '<|endoftext|><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is a state space model?<|im_end|>\n<|im_start|>assistant\n';
    const plain = await engine.completions.create({ prompt: rendered, max_tokens: 10, ...sampling });
    const chat = await engine.chat.completions.create({ messages, max_tokens: 10, ...sampling });
    expect(chat.object).toBe('chat.completion');
    expect(chat.id).toMatch(/^chatcmpl-/);
    expect(chat.choices[0]!.message).toEqual({
      role: 'assistant',
      content: plain.choices[0]!.text,
      refusal: null,
    });
    expect(chat.usage).toEqual(plain.usage);

    const stream = await engine.chat.completions.create({
      messages,
      max_tokens: 10,
      stream: true,
      ...sampling,
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(
      chat.choices[0]!.message.content,
    );
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
    expect(chunks.at(-1)!.usage).toEqual(chat.usage);
  });

  it('chat errors: a template that refuses the messages, a model without a template', async () => {
    const refused = await engine.chat.completions
      .create({ messages: [{ role: 'assistant', content: 'hi' }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ChatTemplateError);
    expect(refused.message).toMatch(/must start with a user or system message/);
    const bad = await engine.chat.completions
      .create({ messages: [{ role: 'user', content: 3 }] } as never)
      .catch((e) => e);
    expect(bad.param).toBe('messages[0].content');
  });

  it('stop strings end the text before the first match, across tokens and in streams', async () => {
    const body = { prompt: 'Once upon a time', max_tokens: 24, ...sampling };
    const full = (await engine.completions.create(body)).choices[0]!.text;
    // A stop string from the middle of the text, long enough to span tokens.
    const start = Math.floor(full.length / 2);
    const stop = full.slice(start, start + 5);
    const want = full.slice(0, full.indexOf(stop));
    const stopped = await engine.completions.create({ ...body, stop: ['never-appears', stop] });
    expect(stopped.choices[0]!.text).toBe(want);
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.usage.completion_tokens).toBeLessThan(24);

    const stream = await engine.completions.create({ ...body, stop, stream: true });
    let text = '';
    let last: CompletionChunk | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]!.text;
      last = chunk;
    }
    expect(text).toBe(want);
    expect(last!.choices[0]!.finish_reason).toBe('stop');
    expect(engine.stats()).toMatchObject({ activeRows: 0, queuedRows: 0 });
  });
});
