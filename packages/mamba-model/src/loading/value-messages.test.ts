// Error messages show the value that came as it is: NaN and Infinity (JSON.stringify prints them as
// null), a BigInt without a TypeError from JSON.stringify, long values cut. One case per place that
// formats a caller's value into a message, all on the CPU.

import { describe, expect, it } from 'vitest';
import { checkIds, parsePrompts, parseSampling } from '../serving/params.js';
import { resolveAdamWOptions } from '../training/optimizer/adamw-options.js';
import { lrSchedule } from '../training/schedule/lr-schedule.js';
import { planSafetensors } from './safetensors-writer.js';

const limits = { vocabSize: 10, maxTokens: 100, maxPromptTokens: 100, maxRows: 4 };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).not.toBe('TypeError');
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('values in messages', () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      'safetensors shape',
      () => planSafetensors([{ name: 'a', dtype: 'F32', shape: [2, Number.NaN] }]),
      /got \[2, NaN\]/,
    ],
    [
      'safetensors metadata',
      () => planSafetensors([], { k: Number.POSITIVE_INFINITY as never }),
      /k = Infinity/,
    ],
    [
      'serving temperature',
      () => parseSampling('c', { temperature: Number.NaN }, limits, 16),
      /temperature must be .*, got NaN/,
    ],
    [
      'serving max_tokens',
      () => parseSampling('c', { max_tokens: Number.POSITIVE_INFINITY }, limits, 16),
      /got Infinity/,
    ],
    [
      'serving boolean',
      () => parseSampling('c', { stream: Number.NaN }, limits, 16),
      /stream must be a boolean, got NaN/,
    ],
    ['serving bigint', () => parseSampling('c', { top_p: 1n }, limits, 16), /top_p must be/],
    [
      'serving model',
      () => parseSampling('c', { model: Number.NaN }, limits, 16),
      /model must be a string, got NaN/,
    ],
    ['serving stop', () => parseSampling('c', { stop: [Number.NaN] }, limits, 16), /got \[NaN\]/],
    ['serving prompt', () => parsePrompts('c', Number.NEGATIVE_INFINITY, limits, undefined), /got -Infinity/],
    [
      'serving ids',
      () => checkIds('c', 'prompt', [1, Number.NaN], limits),
      /prompt\[1\] = NaN is not a token id/,
    ],
    ['adamw noDecay', () => resolveAdamWOptions('c', { noDecay: [Number.NaN] as never }), /got \[NaN\]/],
    ['lr schedule kind', () => lrSchedule(Number.NaN as never, { lr: 1, totalSteps: 1 } as never), /got NaN/],
  ])('%s', (_what, fn, message) => {
    const text = messageOf(fn);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/\bnull\b/);
  });
});
