// Unit tests of the components against behaviour taken from the Rust `tokenizers` sources and
// tests: split behaviours, added-token flags, BPE options, post-processors, decoders, errors.
import { describe, expect, it } from 'vitest';
import {
  Tokenizer,
  TokenizerConfigError,
  UnsupportedComponentError,
  UnsupportedPatternError,
} from '../src/index';
import { fromFile, fromFileSync } from '../src/node';
import { compileOnigRegex, compilePattern, translateOnigPattern } from '../src/pattern';
import { DigitsPreTokenizer, SplitPreTokenizer, WhitespacePreTokenizer } from '../src/pre-tokenizers';
import { loadFixtureTokenizer, tokenizerPath } from './helpers';

function split(step: { split?(t: string, o: string[]): void }, text: string): string[] {
  const out: string[] = [];
  step.split!(text, out);
  return out;
}

const onig = (source: string) => compilePattern(translateOnigPattern(source, 'test'), source, 'test');

/** A character-level BPE over a small alphabet, with optional extra fields. */
function charTokenizer(extra: Record<string, unknown> = {}, model: Record<string, unknown> = {}): Tokenizer {
  const chars = ' abcdefghijklmnopqrstuvwxyz<>[]ADY!?'.split('');
  const vocab: Record<string, number> = {};
  chars.forEach((c, k) => {
    vocab[c] = k;
  });
  vocab.ab = chars.length;
  vocab.abc = chars.length + 1;
  return Tokenizer.fromJSON({
    model: { type: 'BPE', vocab, merges: ['a b'], ...model },
    ...extra,
  });
}

describe('Split pre-tokenizer behaviours (tokenizers split.rs tests, inverted \\w+|[^\\w\\s]+)', () => {
  const regex = compileOnigRegex('\\w+|[^\\w\\s]+', 'test', 'test');
  const text = 'How are you doing?';
  it.each([
    ['Removed', ['How', 'are', 'you', 'doing', '?']],
    ['Isolated', ['How', ' ', 'are', ' ', 'you', ' ', 'doing', '?']],
    ['MergedWithPrevious', ['How ', 'are ', 'you ', 'doing', '?']],
    ['MergedWithNext', ['How', ' are', ' you', ' doing', '?']],
    ['Contiguous', ['How', ' ', 'are', ' ', 'you', ' ', 'doing?']],
  ] as const)('%s', (behavior, expected) => {
    expect(split(new SplitPreTokenizer(regex, behavior, true), text)).toEqual(expected);
  });

  it('Digits, individual and contiguous', () => {
    expect(split(new DigitsPreTokenizer(true), 'Hey 123 friend!')).toEqual([
      'Hey ',
      '1',
      '2',
      '3',
      ' friend!',
    ]);
    expect(split(new DigitsPreTokenizer(false), 'Hey 123 friend!')).toEqual(['Hey ', '123', ' friend!']);
  });

  it('Whitespace', () => {
    expect(split(new WhitespacePreTokenizer(), 'Hey man!  How are\tyou?')).toEqual([
      'Hey',
      'man',
      '!',
      'How',
      'are',
      'you',
      '?',
    ]);
  });
});

describe('onig pattern translation', () => {
  it('expands (?i:...) with Unicode simple case folding', () => {
    const r = onig("(?i:'s|'ll)");
    expect("'S '\u017f 'Ll".match(r)).toEqual(["'S", "'\u017f", "'Ll"]);
  });
  it('gives \\s the onig meaning (U+0085 yes, U+FEFF no)', () => {
    expect('\u0085'.match(onig('\\s'))).toEqual(['\u0085']);
    expect('\ufeff'.match(onig('\\s'))).toBeNull();
  });
  it('rejects constructs JavaScript lacks, with a typed error', () => {
    expect(() => onig('a++')).toThrow(UnsupportedPatternError);
    expect(() => onig('(?>a)')).toThrow(UnsupportedPatternError);
    expect(() => onig('[a[b]]')).toThrow(UnsupportedPatternError);
  });
});

describe('added tokens', () => {
  const token = (content: string, flags: Record<string, boolean>) => ({
    id: 0,
    content,
    special: false,
    normalized: false,
    lstrip: false,
    rstrip: false,
    single_word: false,
    ...flags,
  });

  it('lstrip and rstrip absorb the neighbouring spaces', () => {
    const t = charTokenizer({ added_tokens: [token('[m]', { lstrip: true, rstrip: true })] });
    const id = t.tokenToId('[m]')!;
    expect(t.encode('a  [m]  b')).toEqual([t.tokenToId('a'), id, t.tokenToId('b')]);
    const plain = charTokenizer({ added_tokens: [token('[m]', {})] });
    expect(plain.encode('a [m] b')).toEqual([
      0 + plain.tokenToId('a')!,
      0,
      plain.tokenToId('[m]'),
      0,
      plain.tokenToId('b'),
    ]);
  });

  it('single_word only matches between non-word characters', () => {
    const t = charTokenizer({ added_tokens: [token('xy', { single_word: true })] });
    const id = t.tokenToId('xy')!;
    const [x, y, z, a, space] = ['x', 'y', 'z', 'a', ' '].map((c) => t.tokenToId(c)!);
    expect(id).toBe(38);
    expect(t.encode('xy xyz')).toEqual([id, space, x, y, z]);
    expect(t.encode('axy!')).toEqual([a, x, y, t.tokenToId('!')]);
    expect(t.encode('!xy?')).toEqual([t.tokenToId('!'), id, t.tokenToId('?')]);
  });

  it('non-normalized tokens match the raw text, normalized ones the normalized text', () => {
    const t = charTokenizer({
      normalizer: { type: 'Lowercase' },
      added_tokens: [token('[DAY]', { normalized: false }), token('DAY!', { normalized: true })],
    });
    const raw = t.tokenToId('[DAY]')!;
    const normalized = t.tokenToId('DAY!')!;
    expect(t.encode('[DAY]')).toEqual([raw]);
    // "[day]" is not the raw token; lowercased it is plain text.
    expect(t.encode('[day]')).not.toContain(raw);
    // "Day!" normalizes to "day!", which is the normalized form of "DAY!".
    expect(t.encode('Day!')).toEqual([normalized]);
    expect(t.decode([normalized])).toBe('day!');
  });

  it('assigns ids as tokenizers does: model id if in vocab, else after the vocab', () => {
    const t = charTokenizer({ added_tokens: [token('ab', {}), token('<new>', {}), token('<new2>', {})] });
    expect(t.tokenToId('ab')).toBe(36);
    expect(t.tokenToId('<new>')).toBe(38);
    expect(t.tokenToId('<new2>')).toBe(39);
    expect(t.vocabSize).toBe(40);
  });
});

describe('BPE options', () => {
  it('merges as "a b" strings and as [a, b] pairs give the same ids', () => {
    const a = charTokenizer({}, { merges: ['a b', 'ab c'] });
    const b = charTokenizer(
      {},
      {
        merges: [
          ['a', 'b'],
          ['ab', 'c'],
        ],
      },
    );
    expect(a.encode('abcabx')).toEqual(b.encode('abcabx'));
    expect(a.encode('abc')).toEqual([a.tokenToId('abc')]);
  });

  it('ignore_merges takes a whole word from the vocab', () => {
    const withIgnore = charTokenizer({}, { ignore_merges: true });
    const without = charTokenizer({}, { ignore_merges: false });
    expect(withIgnore.encode('abc')).toEqual([withIgnore.tokenToId('abc')]);
    expect(without.encode('abc')).toEqual([without.tokenToId('ab'), without.tokenToId('c')]);
  });

  it('byte_fallback and unk', () => {
    const vocab: Record<string, number> = { '<unk>': 0, a: 1, '<0xC3>': 2, '<0xA9>': 3 };
    const t = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [], byte_fallback: true, unk_token: '<unk>' },
      decoder: { type: 'ByteFallback' },
    });
    expect(t.encode('a\u00e9z')).toEqual([1, 2, 3, 0]);
    expect(t.decode([1, 2, 3])).toBe('a\u00e9');
  });

  it('fuse_unk joins consecutive unknowns', () => {
    const vocab: Record<string, number> = { '<unk>': 0, a: 1 };
    const fused = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [], unk_token: '<unk>', fuse_unk: true },
    });
    const unfused = Tokenizer.fromJSON({ model: { type: 'BPE', vocab, merges: [], unk_token: '<unk>' } });
    expect(fused.encode('xya')).toEqual([0, 1]);
    expect(unfused.encode('xya')).toEqual([0, 0, 1]);
  });
});

describe('post-processors', () => {
  const template = {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '<', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '>', type_id: 0 } },
    ],
    pair: [
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '>', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: {
      '<': { id: '<', ids: [27], tokens: ['<'] },
      '>': { id: '>', ids: [28], tokens: ['>'] },
    },
  };
  it('TemplateProcessing single and pair', () => {
    const t = charTokenizer({ post_processor: template });
    const a = t.tokenToId('a')!;
    const b = t.tokenToId('b')!;
    expect(t.encode('a')).toEqual([27, a, 28]);
    expect(t.encode('a', { addSpecialTokens: false })).toEqual([a]);
    expect(t.encode('a', { pair: 'b' })).toEqual([a, 28, b]);
  });
  it('Sequence of ByteLevel and TemplateProcessing (the Hub Llama 3 layout)', () => {
    const t = charTokenizer({
      post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel' }, template] },
    });
    expect(t.encode('a')).toEqual([27, t.tokenToId('a'), 28]);
  });
});

describe('decoders', () => {
  it('a Llama 2 style chain: Replace, ByteFallback, Fuse, Strip', () => {
    const vocab: Record<string, number> = {
      '\u2581hello': 0,
      '\u2581world': 1,
      '<0xE2>': 2,
      '<0x82>': 3,
      '<0xAC>': 4,
    };
    const t = Tokenizer.fromJSON({
      model: { type: 'BPE', vocab, merges: [] },
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          { type: 'Strip', content: ' ', start: 1, stop: 0 },
        ],
      },
    });
    expect(t.decode([0, 1, 2, 3, 4])).toBe('hello world\u20ac');
    expect(t.decode([0, 2, 3])).toBe('hello\ufffd\ufffd');
  });
});

describe('loading', () => {
  it('names unsupported component types in a typed error', () => {
    const base = { model: { type: 'BPE', vocab: { a: 0 }, merges: [] } };
    const cases: Array<[string, Record<string, unknown>]> = [
      ['model', { model: { type: 'WordPiece', vocab: {} } }],
      ['normalizer', { ...base, normalizer: { type: 'Precompiled' } }],
      ['pre_tokenizer', { ...base, pre_tokenizer: { type: 'BertPreTokenizer' } }],
      ['post_processor', { ...base, post_processor: { type: 'Weird' } }],
      ['decoder', { ...base, decoder: { type: 'WordPiece' } }],
    ];
    for (const [component, json] of cases) {
      try {
        Tokenizer.fromJSON(json);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(UnsupportedComponentError);
        expect((error as UnsupportedComponentError).component).toBe(component);
        expect((error as Error).message).toMatch(/^Tokenizer\.fromJSON: /);
      }
    }
  });

  it('rejects merges that are not in the vocab', () => {
    expect(() => Tokenizer.fromJSON({ model: { type: 'BPE', vocab: { a: 0 }, merges: ['a b'] } })).toThrow(
      TokenizerConfigError,
    );
  });

  it('fromFile / fromFileSync read a tokenizer.json', async () => {
    const sync = fromFileSync(tokenizerPath('gpt-neox-20b'));
    const asynchronous = await fromFile(tokenizerPath('gpt-neox-20b'));
    expect(sync.encode('Hello world')).toEqual([12092, 1533]);
    expect(asynchronous.vocabSize).toBe(50277);
    await expect(fromFile('/no/such/tokenizer.json')).rejects.toThrow(TokenizerConfigError);
  });

  it('GPT-NeoX: vocab size, token lookups, batch encoding, skipSpecialTokens', () => {
    const t = loadFixtureTokenizer('gpt-neox-20b');
    expect(t.vocabSize).toBe(50277);
    expect(t.getVocabSize(false)).toBe(50254);
    expect(t.tokenToId('<|endoftext|>')).toBe(0);
    expect(t.idToToken(50276)).toBe('  ');
    expect(t.encodeBatch(['Hello world', ' Hello world'], { addSpecialTokens: false })).toEqual([
      [12092, 1533],
      [24387, 1533],
    ]);
    expect(t.decode([0, 12092, 1533, 0], { skipSpecialTokens: true })).toBe('Hello world');
    expect(t.tokenize('Hello world')).toEqual(['Hello', '\u0120world']);
  });
});
