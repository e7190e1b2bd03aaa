// Bad inputs of forward/generate/stream (and the byte sources and engine options beside them) give
// InvalidArgumentErrors naming the function and the field, before any GPU work: the model here
// stands on a fake GPU context that throws on any use, so no test needs an adapter.

import { readFileSync } from 'node:fs';
import { type GpuContext, InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../test/loading/helpers.js';
import { bytesSource, openHttpSource } from '../loading/byte-source.js';
import { parseMambaConfig } from '../loading/config.js';
import { createEngine } from '../serving/engine.js';
import { checkIds, checkPromptRow, resolveGenerateOptions } from './generate-options.js';
import { MambaModel } from './mamba-model.js';
import type { MambaWeights } from './weights.js';

const config = parseMambaConfig(readFileSync(fixturePath('mamba-tiny/config.json'), 'utf8'));

/** Any property access is a bug here: validation must come before GPU work. */
const noGpu = new Proxy({} as GpuContext, {
  get(_target, key) {
    throw new Error(`GPU touched: ctx.${String(key)}`);
  },
});
const model = MambaModel.fromWeights(noGpu, config, new Proxy({} as MambaWeights, { get: () => noGpu }));

interface Case {
  what: string;
  options: unknown;
  argument: string;
  message: RegExp;
}

const ok = { maxTokens: 4 };
const badOptions: Case[] = [
  { what: 'no options', options: undefined, argument: 'options', message: /options must be an object/ },
  { what: 'options a number', options: 5, argument: 'options', message: /got the number 5/ },
  {
    what: 'maxTokens missing',
    options: {},
    argument: 'maxTokens',
    message: /maxTokens must be an integer >= 1, got undefined/,
  },
  {
    what: 'maxTokens NaN',
    options: { maxTokens: Number.NaN },
    argument: 'maxTokens',
    message: /got the number NaN/,
  },
  { what: 'maxTokens "8"', options: { maxTokens: '8' }, argument: 'maxTokens', message: /got a string "8"/ },
  {
    what: 'maxTokens Infinity',
    options: { maxTokens: Infinity },
    argument: 'maxTokens',
    message: /Infinity/,
  },
  {
    what: 'lookahead NaN',
    options: { ...ok, lookahead: Number.NaN },
    argument: 'lookahead',
    message: /lookahead must be an integer >= 1/,
  },
  {
    what: 'lookahead 0',
    options: { ...ok, lookahead: 0 },
    argument: 'lookahead',
    message: /got the number 0/,
  },
  {
    what: 'lookahead 2.5',
    options: { ...ok, lookahead: 2.5 },
    argument: 'lookahead',
    message: /got the number 2.5/,
  },
  {
    what: 'lookahead "8"',
    options: { ...ok, lookahead: '8' },
    argument: 'lookahead',
    message: /got a string/,
  },
  {
    what: 'stopIds 5',
    options: { ...ok, stopIds: 5 },
    argument: 'stopIds',
    message: /stopIds must be a list of token ids .* write \[5\]/,
  },
  { what: 'stopIds "0"', options: { ...ok, stopIds: '0' }, argument: 'stopIds', message: /got a string/ },
  {
    what: 'stopIds [1.5]',
    options: { ...ok, stopIds: [1.5] },
    argument: 'stopIds',
    message: /stopIds\[0\] must be a token id in \[0, 512\)/,
  },
  {
    what: 'stopIds [-1]',
    options: { ...ok, stopIds: [0, -1] },
    argument: 'stopIds',
    message: /stopIds\[1\]/,
  },
  { what: 'stopIds past the vocab', options: { ...ok, stopIds: [512] }, argument: 'stopIds', message: /512/ },
  { what: 'eos "no"', options: { ...ok, eos: 'no' }, argument: 'eos', message: /eos must be true or false/ },
  {
    what: 'signal not a signal',
    options: { ...ok, signal: {} },
    argument: 'signal',
    message: /signal must be an AbortSignal/,
  },
  {
    what: 'temperature NaN',
    options: { ...ok, temperature: Number.NaN },
    argument: 'temperature',
    message: /temperature must be/,
  },
  {
    what: 'topP "0.5"',
    options: { ...ok, topP: '0.5' },
    argument: 'topP',
    message: /topP must be in \(0, 1\], got the string "0.5"/,
  },
  { what: 'minP "0.1"', options: { ...ok, minP: '0.1' }, argument: 'minP', message: /minP must be in/ },
  { what: 'topK 1.5', options: { ...ok, topK: 1.5 }, argument: 'topK', message: /topK must be an integer/ },
  { what: 'seed -1', options: { ...ok, seed: -1 }, argument: 'seed', message: /seed must be an integer/ },
];

const badIds: { what: string; ids: unknown; message: RegExp }[] = [
  {
    what: 'a string',
    ids: 'Mamba is',
    message: /ids must be rows of token ids .*got a string "Mamba is"; encode text first/,
  },
  { what: 'a flat number[]', ids: [1, 2, 3], message: /got a flat number\[\]; pass \[ids\]/ },
  { what: 'no rows', ids: [], message: /ids must be a non-empty array/ },
  { what: 'undefined', ids: undefined, message: /got undefined/ },
  {
    what: 'a row that is a string',
    ids: [[1], 'ab'],
    message: /row 1 must be token ids .*got a string "ab"; encode/,
  },
  { what: 'an empty row', ids: [[1], []], message: /the prompt of row 1 is empty/ },
  {
    what: 'a string id',
    ids: [[1, '2']],
    message: /ids\[0\]\[1\] must be an integer token id, got a string "2"/,
  },
  {
    what: 'a NaN id',
    ids: [[Number.NaN]],
    message: /ids\[0\]\[0\] must be an integer token id, got the number NaN/,
  },
  {
    what: 'an id past the vocab',
    ids: [[512]],
    message: /ids\[0\]\[0\] = 512 is outside the vocabulary \[0, 512\)/,
  },
  { what: 'a negative id', ids: [[-1]], message: /outside the vocabulary/ },
];

async function rejection(promise: Promise<unknown>): Promise<InvalidArgumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return error as InvalidArgumentError;
}

async function drain(iterator: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterator);
}

describe('generation options are validated before GPU work', () => {
  it.each(badOptions)('generate: $what', async ({ options, argument, message }) => {
    const error = await rejection(model.generate([[1, 2]], options as never));
    expect(error.argument).toBe(argument);
    expect(error.message).toMatch(/^MambaModel\.generate: /);
    expect(error.message).toMatch(message);
  });

  it.each(badOptions)('stream: $what', async ({ options, argument }) => {
    const error = await rejection(drain(model.stream([1, 2], options as never)));
    expect(error.argument).toBe(argument);
    expect(error.message).toMatch(/^MambaModel\.stream: /);
  });

  it('an already aborted signal rejects with its reason before GPU work', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    await expect(model.generate([[1]], { ...ok, signal: controller.signal })).rejects.toBe(reason);
  });

  it('resolves defaults and keeps valid options', () => {
    const resolved = resolveGenerateOptions(
      't',
      { maxTokens: 3, stopIds: new Set([7]), lookahead: 500 },
      {
        vocabSize: 512,
        eosTokenId: 0,
      },
    );
    expect(resolved.maxChunk).toBe(64);
    expect([...resolved.stop].sort()).toEqual([0, 7]);
    expect(resolved.sampling.temperature).toBe(0);
    const noEos = resolveGenerateOptions(
      't',
      { maxTokens: 1, eos: false },
      { vocabSize: 512, eosTokenId: 0 },
    );
    expect(noEos.stop.size).toBe(0);
    expect(noEos.maxChunk).toBe(32);
  });
});

describe('prompt ids are validated before GPU work', () => {
  it.each(badIds)('generate and forward: $what', async ({ ids, message }) => {
    const error = await rejection(model.generate(ids as never, ok));
    expect(error.argument).toBe('ids');
    expect(error.message).toMatch(/^MambaModel\.generate: /);
    expect(error.message).toMatch(message);
    await rejection(model.forward(ids as never));
  });

  it('forward refuses ragged rows, generate takes them', () => {
    expect(() => checkIds('MambaModel.forward', [[1, 2], [3]], 512)).toThrow(
      /every row must have the same length/,
    );
    expect(checkIds('MambaModel.generate', [[1, 2], [3]], 512, true)).toMatchObject({
      batch: 2,
      ragged: true,
    });
    expect(
      checkIds(
        'x',
        [
          [1, 2],
          [3, 4],
        ],
        512,
      ).flat,
    ).toEqual(Int32Array.from([1, 2, 3, 4]));
  });

  it.each([
    {
      prompt: 'Mamba is',
      message: /prompt must be token ids \(number\[\]\), got a string "Mamba is"; encode text first/,
    },
    { prompt: [[1, 2]], message: /prompt must be one row of token ids .*use generate for a batch/ },
    { prompt: 7, message: /got the number 7/ },
    { prompt: [1, 'x'], message: /ids\[0\]\[1\] must be an integer token id/ },
  ])('stream: prompt $prompt', async ({ prompt, message }) => {
    const error = await rejection(drain(model.stream(prompt as never, ok)));
    expect(error.message).toMatch(/^MambaModel\.stream: /);
    expect(error.message).toMatch(message);
    if (typeof prompt !== 'object') expect(() => checkPromptRow('s', prompt)).toThrow(InvalidArgumentError);
  });
});

describe('byte sources and engine options', () => {
  it('read(NaN), read(-1), read("0") are InvalidArgumentErrors naming the argument', async () => {
    const source = bytesSource(new Uint8Array(16), 'b.bin');
    for (const [offset, length, argument] of [
      [Number.NaN, 4, 'offset'],
      [0, Number.NaN, 'length'],
      [-1, 4, 'offset'],
      [0, 1.5, 'length'],
      ['0', 4, 'offset'],
    ] as const) {
      const error = await rejection(source.read(offset as number, length));
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(/^bytesSource\.read: /);
    }
  });

  it('openHttpSource checks its url and size before fetching', async () => {
    const fetch = () => {
      throw new Error('fetched');
    };
    await rejection(openHttpSource('https://x/y', { size: Number.NaN, fetch }));
    await rejection(openHttpSource('https://x/y', { size: -1, fetch }));
    await rejection(openHttpSource('', { size: 1, fetch }));
  });

  it('createEngine refuses lookahead NaN', () => {
    expect(() => createEngine(model, { lookahead: Number.NaN })).toThrow(
      /createEngine: lookahead must be an integer >= 1/,
    );
  });
});
