// Tests of the JSON hardening helpers: the depth scan, the strict parser (agrees with JSON.parse
// on what both accept, refuses repeated keys and deep nesting, never throws anything untyped) and
// the bounded formatter.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeJson,
  findDeepNesting,
  MAX_JSON_DEPTH,
  NonIntegerNumber,
  parseStrictJson,
  StrictJsonError,
} from './json.js';

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('findDeepNesting', () => {
  it('finds the first bracket past the limit, ignoring brackets in strings', () => {
    expect(findDeepNesting(deep(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findDeepNesting(deep(MAX_JSON_DEPTH + 1))).toBe(MAX_JSON_DEPTH);
    expect(findDeepNesting(`{"a": "${'['.repeat(1000)}\\"[["}`)).toBeUndefined();
    expect(findDeepNesting('{"a":{"b":[1]}}', 2)).toBe(10);
    expect(findDeepNesting(deep(1_000_000))).toBe(MAX_JSON_DEPTH);
  });
});

describe('parseStrictJson', () => {
  it('agrees with JSON.parse on JSON without repeated keys or fractions', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const strict = JSON.stringify(parseStrictJson(text), (_k, v) =>
          v instanceof NonIntegerNumber ? v.value : v,
        );
        expect(strict).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what serde_json refuses', () => {
    const problem = (text: string) => {
      try {
        parseStrictJson(text);
      } catch (error) {
        expect(error).toBeInstanceOf(StrictJsonError);
        return (error as StrictJsonError).problem;
      }
      return 'accepted';
    };
    expect(problem('{"a":1,"a":2}')).toBe('duplicate-key');
    expect(problem('{"a":{"b":1,"b":1}}')).toBe('duplicate-key');
    expect(problem(deep(MAX_JSON_DEPTH + 1))).toBe('too-deep');
    expect(problem(deep(1_000_000))).toBe('too-deep');
    expect(problem(deep(MAX_JSON_DEPTH))).toBe('accepted');
    for (const bad of [
      '',
      ' ',
      '{',
      '[1,]',
      '{"a":1,}',
      '01',
      '1.',
      '.5',
      '+1',
      'NaN',
      '"\\x"',
      '"\\u12"',
      'tru',
      '\ufeff{}',
      '{} {}',
      "'a'",
    ]) {
      expect(problem(bad), bad).toBe('syntax');
    }
  });

  it('keeps how numbers were written, and "__proto__" as data', () => {
    const value = parseStrictJson('{"i":[1,-0,12],"f":[1.0,1e3,-2.5E-1],"__proto__":{"x":1}}') as Record<
      string,
      unknown[]
    >;
    expect(value.i).toEqual([1, -0, 12]);
    expect(value.f!.map((n) => (n as NonIntegerNumber).literal)).toEqual(['1.0', '1e3', '-2.5E-1']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['i', 'f', '__proto__']);
  });

  it('throws only StrictJsonError on garbage', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789-.eE \\untrufalse'.split('')) }),
        (text) => {
          try {
            parseStrictJson(text);
          } catch (error) {
            if (!(error instanceof StrictJsonError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('describeJson', () => {
  it('is bounded on deep, huge and cyclic values', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(describeJson(nested)).toBe('[[[[…]]]]');
    expect(describeJson(new Array(1_000_000).fill(7)).length).toBeLessThanOrEqual(80);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(describeJson(cyclic)).toBe('{"a": 1, "self": {"a": 1, "self": {"a": 1, "self": {…}}}}');
    expect(describeJson(new NonIntegerNumber(2, '2.0'))).toBe('2.0');
    expect(describeJson(undefined)).toBe('undefined');
  });
});
