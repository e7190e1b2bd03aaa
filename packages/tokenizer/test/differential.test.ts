// Differential tests against the Rust `tokenizers` 0.23.2 itself (its official Node binding, a
// dev dependency): random text through the four fixture tokenizers and through ~60 synthetic
// tokenizer.json variants (every Split behaviour, regex constructs, added-token flags, normalizers, templates).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { runsHere } from '@mamba-webgpu/tooling/vitest/environment';
import { describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerError } from '../src/index';
import { loadFixtureTokenizer, type TokenizerName, tokenizerPath } from './helpers';

interface RustEncoding {
  getIds(): number[];
}
interface RustTokenizer {
  encodeBatch(texts: string[], options: { addSpecialTokens: boolean }): Promise<RustEncoding[]>;
  encode(text: string, pair: string | null, options: { addSpecialTokens: boolean }): Promise<RustEncoding>;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
}
interface RustModule {
  Tokenizer: { fromString(json: string): RustTokenizer };
}

function loadRust(): RustModule | undefined {
  try {
    return createRequire(import.meta.url)('tokenizers') as RustModule;
  } catch {
    return undefined; // no native binary for this platform: the oracle fixtures still run
  }
}
const rust = loadRust();

const pieces = [
  // Code points newer than the Rust normalization tables (see scripts/legacy-unicode.mjs).
  ...[
    '\u1cf2',
    '\u{1e030}',
    '\u32ff',
    '\u{1fbf0}',
    'a\u0c3c\u0301',
    '\u{1f16c}',
    '\u088f',
    '\ua7ce',
    '\u{11de0}',
    '\u{10940}',
  ],
  ...[
    ' ',
    '  ',
    '   ',
    '\t',
    '\n',
    '\r\n',
    '\u00a0',
    '\u0085',
    '1',
    '23',
    '456',
    'a',
    'b',
    'ab',
    'Hello',
    'WORLD',
  ],
  ...[
    'world',
    'hello',
    '<m>',
    '<n>',
    '[X]',
    '\u00c9',
    'e\u0301',
    '\ufb01',
    '\u65e5\u672c',
    '\ud83d\udc4d',
    '!',
    '?',
  ],
  ...[
    '_',
    "'s",
    "'LL",
    '\u017f',
    '\u00df',
    '\u03a3',
    '\u03a3\u0391\u03a3',
    'x',
    '<|endoftext|>',
    '<|im_start|>',
  ],
];
const text = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { maxLength: 14 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
);

async function expectSameAsRust(ours: Tokenizer, theirs: RustTokenizer, s: string, pair: string | null) {
  for (const addSpecialTokens of [false, true]) {
    const options = pair === null ? { addSpecialTokens } : { addSpecialTokens, pair };
    let expected: number[];
    try {
      expected = (await theirs.encode(s, pair, { addSpecialTokens })).getIds();
    } catch {
      // Rust refuses (e.g. a truncation it cannot do): so must we, with a typed error.
      expect(() => ours.encode(s, options)).toThrow(TokenizerError);
      continue;
    }
    expect(ours.encode(s, options)).toEqual(expected);
  }
  let ids: number[];
  try {
    ids = ours.encode(s, { addSpecialTokens: false });
  } catch {
    return; // refused above, as Rust does
  }
  for (const skip of [false, true]) {
    expect(ours.decode(ids, { skipSpecialTokens: skip })).toBe(await theirs.decode(ids, skip));
  }
}

const SUITE = 'same as Rust tokenizers 0.23.2';
const rustRuns = runsHere({
  suite: SUITE,
  available: rust !== undefined,
  missing: `the native binding of npm \`tokenizers\` for ${process.platform}-${process.arch}`,
  remedy: 'pnpm install on a platform the binding ships for (linux/darwin/win32 x64, arm64)',
});

describe.skipIf(!rustRuns)(SUITE, () => {
  const names: TokenizerName[] = ['gpt-neox-20b', 'gpt2-neox-style', 'llama3', 'qwen3'];
  it.each(names)('%s: encode and decode of random text', async (name) => {
    const theirs = rust!.Tokenizer.fromString(readFileSync(tokenizerPath(name), 'utf8'));
    const ours = loadFixtureTokenizer(name);
    await fc.assert(
      fc.asyncProperty(text, (s) => expectSameAsRust(ours, theirs, s, null)),
      { numRuns: 120 },
    );
    const ids = fc.array(fc.integer({ min: 0, max: ours.vocabSize - 1 }), { maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(ids, fc.boolean(), async (seq, skip) => {
        expect(ours.decode(seq, { skipSpecialTokens: skip })).toBe(await theirs.decode(seq, skip));
      }),
      { numRuns: 120 },
    );
  });

  // A small byte-level BPE cut from the GPT-2 vocab (ids < 3000 and the merges among them).
  const gpt2 = JSON.parse(readFileSync(tokenizerPath('gpt2-neox-style'), 'utf8')) as {
    model: { vocab: Record<string, number>; merges: Array<[string, string]> };
  };
  const vocab = Object.fromEntries(Object.entries(gpt2.model.vocab).filter(([, id]) => id < 3000));
  const merges = gpt2.model.merges.filter(([a, b]) => a in vocab && b in vocab && a + b in vocab);
  const model = {
    type: 'BPE',
    vocab,
    merges,
    dropout: null,
    unk_token: null,
    fuse_unk: false,
    byte_fallback: false,
  };
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const base = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model,
  };
  const token = (content: string, flags: Record<string, boolean> = {}) => ({
    id: 0,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: false,
    ...flags,
  });
  const withSplit = (split: object) => ({
    pre_tokenizer: { type: 'Sequence', pretokenizers: [split, { ...byteLevel, use_regex: false }] },
  });
  const specials = {
    '[X]': { id: '[X]', ids: [2999], tokens: ['[X]'] },
    '<s>': { id: '<s>', ids: [2998], tokens: ['<s>'] },
  };
  const variants: Array<[string, Record<string, unknown>, boolean]> = [];
  for (const behavior of ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']) {
    for (const invert of [false, true]) {
      variants.push([
        `Split regex ${behavior} invert=${invert}`,
        withSplit({ type: 'Split', pattern: { Regex: '\\s+|\\d' }, behavior, invert }),
        false,
      ]);
      variants.push([
        `Split empty matches ${behavior} invert=${invert}`,
        withSplit({ type: 'Split', pattern: { Regex: 'a*' }, behavior, invert }),
        false,
      ]);
    }
    variants.push([
      `Split string ${behavior}`,
      withSplit({ type: 'Split', pattern: { String: ' ' }, behavior, invert: false }),
      false,
    ]);
  }
  // Regexes on the onig matcher: constructs the former JavaScript translation got wrong (empty
  // loop iterations, Unicode \b, ^ after a final newline) and real pre-tokenizer patterns.
  const regexes = [
    '(?:|a)*',
    '(?:a|\\s?)+',
    '\\b\\w|\\B.',
    '^\\s*|\\s*$',
    '^$|\\n',
    '(?<=\\d)(?=(?:\\d{3})+(?!\\d))',
    '(?i:hello|world|\\u00e9)',
    '\\p{Lu}\\p{Ll}*|\\p{N}{1,3}',
    '(?<![a-z])\\s+|(?<=a|bc)\\S',
    '(a+)+$|(x|x)*y',
    '(a|ab)(c|bcd)(d*)',
    '[^\\s\\p{L}\\p{N}]+?',
    'x*?y?|\\Z',
    // o200k-style (GPT-4o) and DeepSeek-style pre-tokenizer patterns
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    '[\\r\\n]|\\s?[A-Za-z\\u00b5\\u00c0-\\u00d6]+|\\s?[!-/:-~]+|\\s+$|[\\u4e00-\\u9fa5]+|\\p{N}+',
  ];
  for (const regex of regexes) {
    variants.push([
      `Split regex ${regex.slice(0, 40)}`,
      withSplit({ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false }),
      false,
    ]);
  }
  variants.push([
    'Replace regex with look-arounds',
    {
      normalizer: {
        type: 'Replace',
        pattern: { Regex: '(?<=\\p{L})\\s+(?=\\p{L})|\\s+$|^\\s+' },
        content: '_',
      },
    },
    false,
  ]);
  variants.push(
    ['Digits individual', withSplit({ type: 'Digits', individual_digits: true }), false],
    ['Digits contiguous', withSplit({ type: 'Digits', individual_digits: false }), false],
    ['Whitespace', withSplit({ type: 'Whitespace' }), false],
    ['WhitespaceSplit', withSplit({ type: 'WhitespaceSplit' }), false],
    ['ByteLevel add_prefix_space', { pre_tokenizer: { ...byteLevel, add_prefix_space: true } }, false],
    [
      'NFKC + Lowercase',
      { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] } },
      false,
    ],
    [
      'Strip + Replace regex + Prepend',
      {
        normalizer: {
          type: 'Sequence',
          normalizers: [
            { type: 'Strip', strip_left: true, strip_right: true },
            { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
            { type: 'Prepend', prepend: '_' },
          ],
        },
      },
      false,
    ],
    [
      'NFD + StripAccents',
      { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }] } },
      false,
    ],
    [
      'added tokens with Lowercase',
      {
        normalizer: { type: 'Lowercase' },
        added_tokens: [
          token('<m>', { lstrip: true }),
          token('<n>', { rstrip: true }),
          token('hello', { single_word: true, normalized: true }),
          token('WORLD', { normalized: true }),
          token('[X]', { special: true }),
          token('ab', { single_word: true, lstrip: true, rstrip: true }),
        ],
      },
      false,
    ],
    [
      'added tokens without normalizer',
      {
        added_tokens: [
          token('<m>', { lstrip: true, rstrip: true, special: true }),
          token('<n>', { single_word: true }),
          token('Hello', { normalized: true, lstrip: true }),
          token('  ', { normalized: true }),
        ],
      },
      false,
    ],
    [
      'TemplateProcessing',
      {
        post_processor: {
          type: 'TemplateProcessing',
          single: [
            { SpecialToken: { id: '<s>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '[X]', type_id: 0 } },
          ],
          pair: [
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '[X]', type_id: 0 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: specials,
        },
      },
      true,
    ],
    [
      'RobertaProcessing',
      {
        post_processor: {
          type: 'RobertaProcessing',
          sep: ['[X]', 2999],
          cls: ['<s>', 2998],
          trim_offsets: true,
          add_prefix_space: false,
        },
      },
      true,
    ],
    [
      'BertProcessing',
      { post_processor: { type: 'BertProcessing', sep: ['[X]', 2999], cls: ['<s>', 2998] } },
      true,
    ],
    ['ignore_merges', { model: { ...model, ignore_merges: true } }, false],
    [
      'Replace + Strip decoders',
      {
        decoder: {
          type: 'Sequence',
          decoders: [
            { type: 'Replace', pattern: { String: '\u0120' }, content: ' ' },
            { type: 'Strip', content: ' ', start: 1, stop: 0 },
          ],
        },
      },
      false,
    ],
  );
  for (const scheme of ['always', 'first', 'never']) {
    for (const splitPieces of [true, false]) {
      const metaspace = {
        type: 'Metaspace',
        replacement: '\u2581',
        prepend_scheme: scheme,
        split: splitPieces,
      };
      const withMeta: Record<string, number> = {
        ...vocab,
        '\u2581': 3300,
        '\u2581a': 3301,
        '\u2581\u2581': 3302,
      };
      const metaModel = {
        ...model,
        vocab: withMeta,
        merges: [...merges, ['\u2581', 'a'], ['\u2581', '\u2581']],
      };
      variants.push([
        `Metaspace ${scheme} split=${splitPieces}`,
        {
          pre_tokenizer: metaspace,
          decoder: metaspace,
          model: metaModel,
          added_tokens: [token('<m>', { special: true }), token('Hello', { normalized: true })],
        },
        true,
      ]);
    }
  }
  {
    const withBytes: Record<string, number> = { ...vocab };
    for (let b = 0; b < 256; b++)
      withBytes[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3000 + b;
    withBytes['<unk>'] = 3256;
    const plain = { ...model, vocab: withBytes, unk_token: '<unk>' };
    variants.push(
      [
        'byte_fallback',
        {
          pre_tokenizer: { type: 'Whitespace' },
          decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
          model: { ...plain, byte_fallback: true },
        },
        false,
      ],
      [
        'unk fused',
        { pre_tokenizer: { type: 'WhitespaceSplit' }, decoder: null, model: { ...plain, fuse_unk: true } },
        false,
      ],
      ['unk not fused', { pre_tokenizer: { type: 'WhitespaceSplit' }, decoder: null, model: plain }, false],
    );
  }

  const template = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[X]', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: specials,
  };
  for (const strategy of ['LongestFirst', 'OnlyFirst', 'OnlySecond']) {
    for (const direction of ['Right', 'Left']) {
      variants.push([
        `truncation ${strategy} ${direction}`,
        { truncation: { max_length: 7, strategy, direction, stride: 0 }, post_processor: template },
        true,
      ]);
    }
  }
  variants.push(
    [
      'truncation to 0',
      { truncation: { max_length: 0, strategy: 'LongestFirst', direction: 'Right', stride: 0 } },
      true,
    ],
    [
      'padding Fixed Left',
      {
        padding: {
          strategy: { Fixed: 12 },
          direction: 'Left',
          pad_to_multiple_of: null,
          pad_id: 2999,
          pad_type_id: 0,
          pad_token: '[X]',
        },
      },
      false,
    ],
    [
      'padding BatchLongest multiple of 8 with truncation',
      {
        truncation: { max_length: 20, strategy: 'LongestFirst', direction: 'Right', stride: 0 },
        padding: {
          strategy: 'BatchLongest',
          direction: 'Right',
          pad_to_multiple_of: 8,
          pad_id: 2999,
          pad_type_id: 0,
          pad_token: '[X]',
        },
        post_processor: template,
      },
      true,
    ],
  );

  it.each(variants)('%s', async (_name, patch, pair) => {
    const json = JSON.stringify({ ...base, ...patch });
    const theirs = rust!.Tokenizer.fromString(json);
    const ours = Tokenizer.fromJSON(json);
    await fc.assert(
      fc.asyncProperty(text, text, (s, p) => expectSameAsRust(ours, theirs, s, pair ? p : null)),
      { numRuns: 60 },
    );
    // Batches (padding to the longest of the batch).
    await fc.assert(
      fc.asyncProperty(fc.array(text, { maxLength: 5 }), async (texts) => {
        let expected: number[][];
        try {
          expected = (await theirs.encodeBatch(texts, { addSpecialTokens: true })).map((e) => e.getIds());
        } catch {
          expect(() => ours.encodeBatch(texts)).toThrow(TokenizerError);
          return;
        }
        expect(ours.encodeBatch(texts)).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });
});
