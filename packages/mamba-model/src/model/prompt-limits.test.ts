// The prompt-length bound per adapter, on the CPU: the widest whole-bound activation (in_proj's
// 2*dInner f32 per token) under maxStorageBufferBindingSize, a forward's logits under
// maxBufferSize, and the LimitError saying what fits.

import { LimitError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { checkPromptFits, maxForwardTokens, maxPrefillTokens } from './prompt-limits.js';

const tiny = { dModel: 64, dInner: 128, dState: 16, dtRank: 4, vocabSize: 512 };
const m130 = { dModel: 768, dInner: 1536, dState: 16, dtRank: 48, vocabSize: 50280 };
const lavapipe = {
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 4294967295,
  minStorageBufferOffsetAlignment: 256,
};

describe('maxPrefillTokens / maxForwardTokens', () => {
  it('bounds by the widest activation (measured on lavapipe: 131071 tokens run, 131072 do not)', () => {
    expect(maxPrefillTokens(tiny, lavapipe)).toBe(131071);
    expect(maxPrefillTokens(m130, lavapipe)).toBe(Math.floor((134217728 - 272) / (4 * 2 * 1536)));
    // A forward's logits: 50280 f32 per token in one buffer of at most 4 GiB.
    const big = { ...lavapipe, maxStorageBufferBindingSize: 2 ** 31 };
    expect(maxForwardTokens(m130, big)).toBe(Math.floor((4294967295 - 272) / (4 * 50280)));
    expect(maxForwardTokens(m130, big)).toBeLessThan(maxPrefillTokens(m130, big));
  });

  it('checkPromptFits says what fits, for one row and for a batch', () => {
    expect(() => checkPromptFits('f', 1, 100, 100, lavapipe)).not.toThrow();
    expect(() => checkPromptFits('f', 1, 101, 100, lavapipe)).toThrow(LimitError);
    expect(() => checkPromptFits('f', 1, 101, 100, lavapipe)).toThrow(
      /^f: the prompt is 101 tokens, more than the 100 tokens one pass fits on this adapter \(maxStorageBufferBindingSize 134217728, maxBufferSize 4294967295\); give a shorter prompt$/,
    );
    expect(() => checkPromptFits('f', 3, 40, 100, lavapipe)).toThrow(
      /3 rows of 40 tokens \(120\), more than the 100 tokens .*; give at most 33 tokens per row for 3 rows, or fewer rows$/,
    );
  });
});
