import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from './tokenizer.js';

const json = readFileSync(
  fileURLToPath(new URL('../../../tokenizer/test/fixtures/gpt-neox-20b/tokenizer.json', import.meta.url)),
  'utf8',
);

describe('the model tokenizer', () => {
  it('decodes ids past the tokenizer (extra embedding rows) to nothing, as HF tokenizers do', async () => {
    const t = await loadTokenizer(json);
    const size = t.tokenizer.getVocabSize();
    const ids = t.encode('Mamba is a snake');
    const withExtra = [...ids.slice(0, 2), size, size + 2, ...ids.slice(2)];
    expect(t.decode(withExtra)).toBe('Mamba is a snake');
    const stream = t.streamDecoder();
    let text = '';
    for (const id of withExtra) text += stream.push(id);
    expect(text + stream.flush()).toBe('Mamba is a snake');
    // The tokenizer package stays strict.
    expect(() => t.tokenizer.decode([size])).toThrow();
  });
});
