// Hangs and freezes (issue 16): catastrophic-backtracking Split/Replace patterns, huge added
// tokens and long whitespace runs must finish fast, exactly, or fail with a typed error. Before
// the onig matcher, (a+)+$ on 'a' * 30 + 'b' blocked the event loop for minutes (a JavaScript
// RegExp); the Rust library aborts the process on it (onig's retry-limit-in-match).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tokenizer, UnsupportedPatternError } from '../src/index';
import { compileOnigRegex, findMatches } from '../src/pattern';
import { REGEX_STEP_LIMIT } from '../src/regex-match';
import { pathologicalPattern, pathologicalText } from './regex-arbitraries';

const CASE_MS = 200;
const vocab = Object.fromEntries([...'abcxy! '].map((c, k) => [c, k]));

/** A character-level tokenizer whose Split pre-tokenizer, Replace normalizer and Replace decoder use `regex`. */
function tokenizerWith(regex: string, where: 'split' | 'replace' | 'decoder'): Tokenizer {
  const pattern = { Regex: regex };
  return Tokenizer.fromJSON({
    model: { type: 'BPE', vocab, merges: [] },
    normalizer: where === 'replace' ? { type: 'Replace', pattern, content: 'x' } : null,
    pre_tokenizer: where === 'split' ? { type: 'Split', pattern, behavior: 'Isolated', invert: false } : null,
    // Fuse first: the Replace decoder then sees the whole text, not one token at a time.
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Fuse' },
        ...(where === 'decoder' ? [{ type: 'Replace', pattern, content: 'y' }] : []),
      ],
    },
  });
}

/** Runs `work`, expecting it to finish within CASE_MS; returns its result or the typed error. */
function bounded<T>(work: () => T): T | UnsupportedPatternError {
  const start = performance.now();
  let result: T | UnsupportedPatternError;
  try {
    result = work();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedPatternError);
    result = error as UnsupportedPatternError;
  }
  expect(performance.now() - start).toBeLessThan(CASE_MS);
  return result;
}

/** Matches of `regex` in `text` as [start, end] pairs. */
function matches(regex: string, text: string): number[][] {
  const events = findMatches(compileOnigRegex(regex, 'test', 'test'), text);
  const out: number[][] = [];
  for (let k = 0; k < events.length; k += 3) if (events[k + 2] === 1) out.push([events[k]!, events[k + 1]!]);
  return out;
}

describe('catastrophic backtracking', () => {
  it('nested quantifiers over overlapping alternatives: encode works or throws the typed error, fast', () => {
    fc.assert(
      fc.property(
        pathologicalPattern,
        pathologicalText,
        fc.constantFrom('split', 'replace', 'decoder'),
        (regex, text, where) => {
          bounded(() => {
            const tokenizer = tokenizerWith(regex, where as 'split');
            const ids = tokenizer.encode(text, { addSpecialTokens: false });
            return tokenizer.decode(ids);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  // The classic cases, each with the exact answer.
  const a30b = `${'a'.repeat(30)}b`;
  it.each([
    ['(a+)+$', a30b, []],
    ['(a|a)*b', 'a'.repeat(40), []],
    ['(a|a)*b', a30b, [[0, 31]]],
    ['(.*a){20}', 'a'.repeat(5000), [[0, 5000]]],
    ['(a*)*b', 'a'.repeat(5000), []],
    ['(x+x+)+y', 'x'.repeat(5000), []],
    ['(\\w+\\s?)+$', `${'word '.repeat(1000)}!`, []],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', `${'a'.repeat(5000)}!`, []],
    ['\\s*[\\r\\n]+', ' '.repeat(100_000), []],
    ['(?=(a+)+$)a', a30b, []],
  ] as Array<[string, string, number[][]]>)('%s', (regex, text, expected) => {
    expect(bounded(() => matches(regex, text))).toEqual(expected);
  });

  it('(a+)+$ in every place a regex can be', () => {
    for (const where of ['split', 'replace', 'decoder'] as const) {
      const tokenizer = tokenizerWith('(a+)+$', where);
      const ids = bounded(() => tokenizer.encode(a30b, { addSpecialTokens: false }));
      expect(ids).toEqual([...a30b].map((c) => vocab[c]));
      expect(bounded(() => tokenizer.decode(ids as number[]))).toBe(a30b);
    }
  });

  it('what memos cannot cover stops at the step limit with a typed error naming the pattern', () => {
    // A look-behind is matched without memos: (a|a)* inside one backtracks exponentially.
    const regex = '(?<=c(?:a|a)*)b';
    const text = `c${'a'.repeat(40)}xb`;
    const error = bounded(() => tokenizerWith(regex, 'split').encode(text));
    expect(error).toBeInstanceOf(UnsupportedPatternError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Tokenizer\.encode: the regex "\(\?<=c\(\?:a\|a\)\*\)b" at pre_tokenizer\.pattern\.Regex /,
    );
    const steps = Number(/more than (\d+) matching steps/.exec(message)?.[1]);
    expect(steps).toBeGreaterThan(REGEX_STEP_LIMIT);
    expect(steps).toBeLessThan(REGEX_STEP_LIMIT * 1.1);
    expect(message).toContain('Rewrite it');
    expect((error as UnsupportedPatternError).path).toBe('pre_tokenizer.pattern.Regex');
    const decoding = tokenizerWith(regex, 'decoder');
    const ids = decoding.encode(text);
    expect(() => decoding.decode(ids)).toThrow(/^Tokenizer\.decode: the regex /);
    // The tokenizer stays usable.
    expect(tokenizerWith(regex, 'split').encode('cab')).toEqual([2, 0, 1]);
  });
});

describe('huge added tokens and long whitespace runs', () => {
  const mb = 'x'.repeat(1 << 20);
  const added = (content: string, flags: Record<string, boolean> = {}) => ({
    id: 0,
    content,
    special: true,
    normalized: false,
    lstrip: false,
    rstrip: false,
    single_word: false,
    ...flags,
  });

  it('a 1 MB added token is matched exactly, never a raw SyntaxError from a RegExp', () => {
    const tokenizer = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [] },
      decoder: { type: 'Fuse' },
      added_tokens: [added(mb), added('ab', { lstrip: true })],
    });
    const bigId = tokenizer.tokenToId(mb)!;
    const abId = tokenizer.tokenToId('ab')!;
    let ids: number[] = [];
    expect(() => {
      ids = tokenizer.encode(`a  ab${mb}xa`, { addSpecialTokens: false });
    }).not.toThrow();
    expect(ids).toEqual([vocab.a, abId, bigId, vocab.x, vocab.a]);
    expect(tokenizer.decode(ids)).toBe(`a  ab${mb}xa`.replace('  ab', 'ab'));
  });

  it('a near miss of a 1 MB added token over a 1 MB run stays linear', () => {
    const tokenizer = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [] },
      added_tokens: [added(`${mb}y`)],
    });
    const start = performance.now();
    expect(tokenizer.encode(mb, { addSpecialTokens: false })).toHaveLength(mb.length);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('Strip and lstrip/rstrip over 200,000 spaces', () => {
    const tokenizer = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [] },
      normalizer: { type: 'Strip', strip_left: true, strip_right: true },
      added_tokens: [added('b', { lstrip: true, rstrip: true, special: false })],
    });
    const spaces = ' '.repeat(200_000);
    const ids = bounded(() =>
      tokenizer.encode(`a${spaces}x${spaces}b${spaces}`, { addSpecialTokens: false }),
    );
    expect(ids).toHaveLength(200_003);
    expect(bounded(() => tokenizer.encode(`${spaces}ax${spaces}`, { addSpecialTokens: false }))).toEqual([
      vocab.a,
      vocab.x,
    ]);
  });
});
