// Deeply nested tokenizer.json: a text nested past 128 levels, or `Sequence` components nested past
// 63 (text or already-parsed object), is a TokenizerConfigError naming the limit, never a
// RangeError from a stack overflow; nesting within the limits still loads.
import { describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerConfigError } from '../src/index';
import { findDeepNesting, MAX_JSON_DEPTH, MAX_SEQUENCE_DEPTH } from '../src/json';

const base = {
  version: '1.0',
  added_tokens: [],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel' },
  model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] },
};

/** `depth` Sequences of `key`, innermost holding `leaf`. */
function sequences(depth: number, listKey: string, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { type: 'Sequence', [listKey]: [value] };
  return value;
}

const components = [
  { field: 'normalizer', listKey: 'normalizers', leaf: { type: 'NFC' } },
  {
    field: 'pre_tokenizer',
    listKey: 'pretokenizers',
    leaf: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
  },
  { field: 'post_processor', listKey: 'processors', leaf: { type: 'ByteLevel' } },
  { field: 'decoder', listKey: 'decoders', leaf: { type: 'ByteLevel' } },
];

function thrown(input: unknown): unknown {
  try {
    Tokenizer.fromJSON(input);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('nesting limits', () => {
  it.each(components)(
    '$field: Sequence within the limit loads, past it is typed',
    ({ field, listKey, leaf }) => {
      const ok = { ...base, [field]: sequences(MAX_SEQUENCE_DEPTH, listKey, leaf) };
      expect(Tokenizer.fromJSON(JSON.stringify(ok)).encode('ab')).toEqual([2]);
      expect(Tokenizer.fromJSON(ok).encode('ab')).toEqual([2]);
      // An already-parsed object has no text to scan: the component builders bound the recursion.
      for (const depth of [MAX_SEQUENCE_DEPTH + 1, 20_000]) {
        const error = thrown({ ...base, [field]: sequences(depth, listKey, leaf) });
        expect(error).toBeInstanceOf(TokenizerConfigError);
        expect((error as Error).message).toMatch(
          new RegExp(`^Tokenizer\\.fromJSON: Sequence components must nest at most ${MAX_SEQUENCE_DEPTH} `),
        );
      }
    },
  );

  it('a text nested past 128 levels is refused before JSON.parse', () => {
    // Texts built as strings: JSON.stringify itself overflows on 100,000 levels.
    const withField = (key: string, json: string) => `${JSON.stringify(base).slice(0, -1)},"${key}":${json}}`;
    for (const depth of [MAX_JSON_DEPTH - 1, 100_000]) {
      const text = withField('extra', `${'['.repeat(depth)}${']'.repeat(depth)}`);
      const error = thrown(text);
      if (depth < MAX_JSON_DEPTH) {
        expect(error).toBeUndefined();
      } else {
        expect(error).toBeInstanceOf(TokenizerConfigError);
        expect((error as Error).message).toContain(`at most ${MAX_JSON_DEPTH} deep`);
      }
    }
    const depth = 50_000;
    const decoder = `${'{"type":"Sequence","decoders":['.repeat(depth)}{"type":"ByteLevel"}${']}'.repeat(depth)}`;
    const sequenceText = withField('decoder', decoder).replace('"decoder":{"type":"ByteLevel"},', '');
    expect(thrown(sequenceText)).toBeInstanceOf(TokenizerConfigError);
  });

  it('findDeepNesting skips strings', () => {
    expect(findDeepNesting(`{"a": "${'['.repeat(500)}\\"["}`)).toBeUndefined();
    expect(findDeepNesting('[[[]]]', 2)).toBe(2);
  });
});
