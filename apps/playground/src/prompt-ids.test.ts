import { describe, expect, it } from 'vitest';
import { parsePromptIds } from './prompt-ids.js';

describe('parsePromptIds', () => {
  it('accepts commas, spaces and newlines', () => {
    expect(parsePromptIds(' 3, 17 42,\n0 ')).toEqual([3, 17, 42, 0]);
  });
  it('names the bad entry', () => {
    expect(() => parsePromptIds('1, x2')).toThrow('entry 1 must be a non-negative integer, got "x2"');
    expect(() => parsePromptIds('1, -2')).toThrow('entry 1');
    expect(() => parsePromptIds('')).toThrow('at least one token id');
  });
  it('checks ids against the vocabulary', () => {
    expect(() => parsePromptIds('511, 512', 512)).toThrow(
      'entry 1 must be below the vocabulary size 512, got 512',
    );
  });
});
