// The onig matcher (src/regex-*.ts) against two oracles: the JavaScript RegExp translation of the
// same pattern (random patterns and texts, where JavaScript's semantics are onig's) and answers
// of the Rust library (onig 6.9) for what differs, such as empty loop iterations and Unicode \b.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsupportedPatternError } from '../src/index';
import { compileOnigRegex, findMatches } from '../src/pattern';
import type { RegexMatcher } from '../src/regex-match';
import { translatedPattern } from './helpers';
import { jsComparable, onigPattern, textOf } from './regex-arbitraries';

/** The matcher of `pattern`, memoizing from the first step (`eager`) or only when slow (default). */
function matcher(pattern: string, memo: 'eager' | 'lazy' | 'never' = 'lazy'): RegexMatcher {
  const m = compileOnigRegex(pattern, 'test', 'test') as RegexMatcher;
  if (memo === 'eager') m.memoAfterStepsPerChar = 0;
  if (memo === 'never') m.memoAfterStepsPerChar = Number.POSITIVE_INFINITY;
  return m;
}

/** A pattern that parses, or undefined (the generator also makes constructs we refuse). */
function compiles(pattern: string): boolean {
  try {
    compileOnigRegex(pattern, 'test', 'test');
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedPatternError);
    return false;
  }
}

/** `text` with each match replaced by `<>`, as the probes of the Rust library print it. */
function replaced(pattern: string, text: string): string {
  const events = findMatches(matcher(pattern), text);
  let out = '';
  for (let k = 0; k < events.length; k += 3)
    out += events[k + 2] === 1 ? '<>' : text.slice(events[k]!, events[k + 1]!);
  return out;
}

describe('regex matcher', () => {
  it('finds the same matches as the JavaScript translation', () => {
    fc.assert(
      fc.property(onigPattern, fc.array(textOf(14), { minLength: 1, maxLength: 4 }), (pattern, texts) => {
        if (!compiles(pattern) || !jsComparable(pattern)) return;
        const regExp = translatedPattern(pattern);
        const eager = matcher(pattern, 'eager');
        const lazy = matcher(pattern);
        for (const text of texts) {
          const expected = findMatches(regExp, text);
          expect(findMatches(eager, text)).toEqual(expected);
          expect(findMatches(lazy, text)).toEqual(expected);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('memoized matching equals plain backtracking, empty-able loop bodies included', () => {
    fc.assert(
      fc.property(onigPattern, textOf(24), (pattern, text) => {
        if (!compiles(pattern)) return;
        let memoized: number[];
        try {
          memoized = findMatches(matcher(pattern, 'eager'), text);
        } catch (error) {
          // Look-behinds run without memos (README): they alone may still exceed the step budget,
          // with the typed error (found by this property: "(?<!(a(|){1,3}|)*|)" on "aaaaaa").
          expect(error).toBeInstanceOf(UnsupportedPatternError);
          expect(pattern).toMatch(/\(\?<[=!]/);
          return;
        }
        let plain: number[];
        try {
          plain = findMatches(matcher(pattern, 'never'), text);
        } catch (error) {
          // Without memos some of these are exponential: over budget, which is what memos avoid.
          expect(error).toBeInstanceOf(UnsupportedPatternError);
          return;
        }
        expect(plain).toEqual(memoized);
      }),
      { numRuns: 600 },
    );
  });

  // Each row: pattern, text, and the text with onig's matches replaced by <> (printed by
  // tokenizers 0.23.2 through a Replace normalizer).
  const rust: Array<[string, string, string]> = [
    ['(?:|a)*', 'aab', '<>a<>a<>b<>'],
    ['(?:|a)+', 'aab', '<>a<>a<>b<>'],
    ['(?:a|)*', 'aab', '<>b<>'],
    ['(?:|a)?', 'ab', '<>a<>b<>'],
    ['(?:|a){0,3}', 'aab', '<>a<>a<>b<>'],
    ['(?:|a){1,3}b', 'aab', '<>'],
    ['(?:b|a?)+c', 'abac', '<>'],
    ['\\b', '\u00e9 a', '<>\u00e9<> <>a<>'],
    ['\\bx', '\u00e9x x', '\u00e9x <>'],
    ['(?<=a|bc)d', 'ad bcd cd', 'a<> bc<> cd'],
    ['(?<=a+)d', 'aad', 'aa<>'],
    ['(?<!ab*)c', 'abbc c', 'abbc <>'],
    ['a{,2}', 'aaa', '<><>'],
    ['\\Z', 'a\n', 'a<>\n<>'],
    ['^$', 'b\n', 'b\n'],
    ['^|a', '\nb\n', '<>\n<>b\n'],
    ['x*?y', 'xxy', '<>'],
    ['(?i:\u01c5)', '\u01c4\u01c5\u01c6X', '<><><>X'],
    ['\\w+', 'a_\u00e91\u0663\u00b7', '<>\u00b7'],
    ['((?=a))?a', 'ab a', '<>b <>'],
    ['a*', 'baab', '<>b<>b<>'],
  ];
  it.each(rust)('%j on %j as onig', (pattern, text, expected) => {
    expect(replaced(pattern, text)).toBe(expected);
  });

  it('refuses what onig refuses or it cannot run exactly, with a typed error naming the path', () => {
    for (const pattern of [
      'a++',
      '(?>a)',
      '[a[b]]',
      '\\1',
      '(a)\\k<a>',
      '\\b*',
      '(?:$)+',
      '(?i)a',
      '[a&&b]',
    ]) {
      expect(() => compileOnigRegex(pattern, 'pre_tokenizer.pattern.Regex', 'test')).toThrow(
        /^Tokenizer\.fromJSON: pre_tokenizer\.pattern\.Regex must be an onig regex/,
      );
    }
    const deep = `${'('.repeat(300)}a${')'.repeat(300)}`;
    expect(() => compileOnigRegex(deep, 'p', 'test')).toThrow(UnsupportedPatternError);
    expect(() => compileOnigRegex('(?:a{1000}){1000}', 'p', 'test')).toThrow(/at most 50000 steps/);
  });
});
