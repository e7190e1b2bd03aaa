// The stats line's texts: waiting, running, done, stopped.
import { describe, expect, it } from 'vitest';
import { progressText, stoppedText, tokenTiming, waitingText } from './generation-stats.js';

describe('generation stats', () => {
  it('says it waits for the first token, then counts with the rates', () => {
    expect(waitingText(1)).toBe('waiting for the first token… (prefill of 1 token)');
    expect(waitingText(9)).toBe('waiting for the first token… (prefill of 9 tokens)');
    expect(progressText(1, tokenTiming(201.4, undefined))).toBe('1 token · first token 201 ms');
    expect(progressText(24, tokenTiming(2354, 6.14), { promptTokens: 9, prefillMs: 2353.2 })).toBe(
      '24 tokens · first token 2354 ms · 6.1 tokens/s · prefill of 9 tokens 2353 ms',
    );
  });

  it('says how many tokens came before Stop, or that none did', () => {
    expect(stoppedText(3, tokenTiming(201, 6.34))).toBe(
      'stopped after 3 tokens · first token 201 ms · 6.3 tokens/s',
    );
    expect(stoppedText(0, tokenTiming(undefined, undefined))).toBe(
      'stopped after 0 tokens (before the first token)',
    );
  });
});
