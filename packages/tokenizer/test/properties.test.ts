// Property tests (fast-check): round trips, streaming decode equal to decode, the fast scanners
// equal to their regexes, scan merge equal to heap merge, and typed errors only on bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeStream, TokenIdError, Tokenizer, TokenizerError } from '../src/index';
import { LiteralSetMatcher } from '../src/literal-set';
import { compileOnigRegex, escapeRegExp } from '../src/pattern';
import { SplitPreTokenizer } from '../src/pre-tokenizers';
import { GPT2_PATTERN, LLAMA3_PATTERN, QWEN_PATTERN, scanGpt2, scanLlama3, scanQwen } from '../src/scanners';
import { hasLegacyChar } from '../src/normalizers';
import { toWellFormed } from '../src/unicode';
import { LEGACY_UNICODE_CLASS } from '../src/unicode-legacy';
import { loadFixtureTokenizer, type TokenizerName, translatedPattern } from './helpers';

const NUM_RUNS = 150;

/** Characters that stress the pre-tokenizers: contractions, case folds, spaces, CR/LF, marks. */
const tricky = fc.constantFrom(
  ...[
    "'",
    's',
    'S',
    '\u017f',
    't',
    'T',
    'r',
    'e',
    'E',
    'l',
    'L',
    'v',
    'm',
    'd',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r',
    '\r\n',
    '\u0085',
    '\u00a0',
    '\u3000',
    '\ufeff',
    '\u2028',
    '1',
    '23',
    '\u0663',
    '\u2167',
    '\ud835\udfce',
    '.',
    '!',
    '(',
    '_',
    'a\u0301',
    '\u00e9',
    '\u65e5',
    '\ud83d\udc4d',
    '\u200d',
    '<|endoftext|>',
    '<think>',
    // Letters and numbers newer than onig's Unicode tables.
    '\u088f',
    '\ua7ce',
    '\u{11de0}',
    '\u{10940}',
  ],
);
const trickyText = fc
  .array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 40 })
  .map((a) => a.join(''));
const randomText = fc.oneof(
  trickyText,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

describe('round trip decode(encode(s))', () => {
  const nfc: TokenizerName[] = ['gpt-neox-20b', 'gpt2-neox-style', 'qwen3'];
  it.each(nfc)('%s gives s.normalize("NFC")', (name) => {
    const tokenizer = loadFixtureTokenizer(name);
    fc.assert(
      fc.property(randomText, (s) => {
        expect(tokenizer.decode(tokenizer.encode(s, { addSpecialTokens: false }))).toBe(s.normalize('NFC'));
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it('llama3 (no normalizer) gives s', () => {
    const tokenizer = loadFixtureTokenizer('llama3');
    fc.assert(
      fc.property(randomText, (s) => {
        expect(tokenizer.decode(tokenizer.encode(s, { addSpecialTokens: false }))).toBe(s);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('streaming decode', () => {
  const names: TokenizerName[] = ['gpt-neox-20b', 'llama3', 'qwen3'];
  for (const name of names) {
    const tokenizer = loadFixtureTokenizer(name);
    const ids = fc.array(fc.integer({ min: 0, max: tokenizer.vocabSize - 1 }), { maxLength: 40 });
    // Byte tokens (ids of single bytes) make partial UTF-8 sequences likely.
    const byteIds = Array.from({ length: 256 }, (_, b) =>
      tokenizer.encode(String.fromCharCode(b), { addSpecialTokens: false }),
    );
    const mixed = fc.array(
      fc.oneof(fc.integer({ min: 0, max: tokenizer.vocabSize - 1 }), fc.constantFrom(...byteIds.flat())),
      { maxLength: 40 },
    );
    const validIds = fc
      .oneof(ids, mixed)
      .filter((a) => a.every((id) => tokenizer.idToToken(id) !== undefined));
    for (const windowed of [false, true]) {
      it(`${name} ${windowed ? 'windowed' : 'utf-8 stream'}: chunks + flush equal decode`, () => {
        fc.assert(
          fc.property(validIds, fc.boolean(), (seq, skip) => {
            const stream = new DecodeStream(tokenizer, skip, windowed);
            let text = '';
            for (const id of seq) {
              const chunk = stream.step(id);
              // Never a lone surrogate at a chunk edge (no split character).
              expect(chunk).toBe(toWellFormed(chunk));
              text += chunk;
            }
            text += stream.flush();
            expect(text).toBe(tokenizer.decode(seq, { skipSpecialTokens: skip }));
          }),
          { numRuns: NUM_RUNS },
        );
      });
    }
  }

  it('holds back a multi-byte character until its last byte arrives', () => {
    const tokenizer = loadFixtureTokenizer('gpt-neox-20b');
    const ids = tokenizer.encode('\ud83e\udd9b', { addSpecialTokens: false });
    expect(ids.length).toBeGreaterThan(1);
    const stream = tokenizer.decodeStream();
    const chunks = ids.map((id) => stream.step(id));
    expect(chunks.slice(0, -1).join('')).toBe('');
    expect(chunks.at(-1)).toBe('\ud83e\udd9b');
    expect(stream.flush()).toBe('');
  });
});

describe('fast scanners equal the translated regexes', () => {
  const cases: Array<[string, string, (t: string, o: string[]) => void]> = [
    ['gpt2', GPT2_PATTERN, scanGpt2],
    ['llama3', LLAMA3_PATTERN, scanLlama3],
    ['qwen', QWEN_PATTERN, scanQwen],
  ];
  it.each(cases)('%s (and so does the regex matcher)', (_name, pattern, scan) => {
    const viaRegExp = new SplitPreTokenizer(translatedPattern(pattern), 'Isolated', false);
    const viaMatcher = new SplitPreTokenizer(compileOnigRegex(pattern, 'test', 'test'), 'Isolated', false);
    fc.assert(
      fc.property(randomText, (raw) => {
        const s = toWellFormed(raw);
        const fast: string[] = [];
        scan(s, fast);
        const reference: string[] = [];
        viaRegExp.split(s, reference);
        expect(fast).toEqual(reference);
        const matched: string[] = [];
        viaMatcher.split(s, matched);
        expect(matched).toEqual(reference);
      }),
      { numRuns: 400 },
    );
  });
});

describe('BPE merge strategies', () => {
  it.each(['gpt-neox-20b', 'llama3'] as TokenizerName[])(
    '%s: linear scan and heap give the same ids',
    (name) => {
      const tokenizer = loadFixtureTokenizer(name);
      const letters = fc.constantFrom(...'aaabcdeeilmnorsttu \u0120'.split(''));
      const word = fc.oneof(
        fc.array(letters, { maxLength: 80 }).map((a) => a.join('')),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
      );
      fc.assert(
        fc.property(word, (w) => {
          const mapped = tokenizer.preTokenizer.reduce(
            (p, step) => (step.transform ? step.transform(p) : p),
            w,
          );
          const scan: number[] = [];
          const heap: number[] = [];
          tokenizer.model.tokenize(mapped, scan, 'scan');
          tokenizer.model.tokenize(mapped, heap, 'heap');
          expect(heap).toEqual(scan);
        }),
        { numRuns: 300 },
      );
    },
  );
});

describe('typed errors only', () => {
  const small = JSON.stringify({
    version: '1.0',
    added_tokens: [
      {
        id: 6,
        content: '<s>',
        special: true,
        normalized: false,
        lstrip: false,
        rstrip: false,
        single_word: false,
      },
    ],
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
    decoder: { type: 'ByteLevel' },
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, c: 3, abc: 4, '\u0120': 5 }, merges: ['a b', 'ab c'] },
  });

  const expectTypedOrOk = (input: unknown) => {
    try {
      Tokenizer.fromJSON(input);
    } catch (error) {
      expect(error).toBeInstanceOf(TokenizerError);
    }
  };

  it('random JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), expectTypedOrOk), { numRuns: 300 });
    fc.assert(fc.property(fc.anything(), expectTypedOrOk), { numRuns: 300 });
  });

  it('truncated tokenizer.json text', () => {
    fc.assert(
      fc.property(fc.nat({ max: small.length }), (cut) => expectTypedOrOk(small.slice(0, cut))),
      {
        numRuns: 300,
      },
    );
  });

  it('tokenizer.json with one field replaced by a random value', () => {
    const base = JSON.parse(small) as Record<string, unknown>;
    const paths = ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model', 'added_tokens'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.string(), (key, value, type) => {
        expectTypedOrOk({ ...base, [key]: value });
        expectTypedOrOk({ ...base, [key]: { ...(base[key] as object), type } });
      }),
      { numRuns: 300 },
    );
  });

  it('ids outside the vocab are rejected with TokenIdError', () => {
    const tokenizer = loadFixtureTokenizer('gpt-neox-20b');
    const bad = fc.oneof(
      fc.integer({ min: tokenizer.vocabSize, max: 2 ** 40 }),
      fc.integer({ max: -1 }),
      fc.double().filter((x) => !Number.isInteger(x)),
    );
    fc.assert(
      fc.property(bad, (id) => {
        expect(() => tokenizer.decode([1000, id])).toThrow(TokenIdError);
        expect(() => tokenizer.decodeStream().step(id)).toThrow(TokenIdError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('added-token literal matcher fallback', () => {
  it('finds the same leftmost-longest matches as the RegExp alternation', () => {
    const patterns = ['<', '<|', '<|a|>', 'ab', 'abc', 'b', '  ', '    ', '\u00e9'].sort(
      (a, b) => b.length - a.length,
    );
    const regex = new RegExp(patterns.map(escapeRegExp).join('|'), 'gu');
    const text = fc
      .array(fc.constantFrom('<', '|', 'a', 'b', 'c', '>', ' ', '\u00e9', 'x'), { maxLength: 30 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const viaRegex = [...s.matchAll(regex)].map((m) => [m.index, m[0]]);
        const matcher = new LiteralSetMatcher(patterns);
        const viaScan: Array<[number, string]> = [];
        for (let m = matcher.exec(s); m !== null; m = matcher.exec(s)) viaScan.push([m.index, m[0]]);
        expect(viaScan).toEqual(viaRegex);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sparse ids', () => {
  it('decode and stream work when ids are too sparse for the byte table', () => {
    const t = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab: { a: 0, b: 2_000_000_000 }, merges: [] },
      decoder: { type: 'ByteLevel' },
    });
    expect(t.decode([0, 2_000_000_000])).toBe('ab');
    expect(t.decodeStream().push([2_000_000_000, 0])).toBe('ba');
    expect(() => t.decode([1])).toThrow(TokenIdError);
  });
});

describe('legacy Unicode lookup', () => {
  it('hasLegacyChar agrees with the generated class as a RegExp', () => {
    const regex = new RegExp(`[${LEGACY_UNICODE_CLASS}]`, 'u');
    const legacy = [...LEGACY_UNICODE_CLASS].filter((c) => c !== '-');
    const text = fc.array(fc.oneof(fc.constantFrom(...legacy), fc.string({ unit: 'binary', maxLength: 3 })), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const s = toWellFormed(parts.join(''));
        expect(hasLegacyChar(s)).toBe(regex.test(s));
      }),
      { numRuns: 500 },
    );
  });
});
