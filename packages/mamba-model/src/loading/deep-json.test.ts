// Deeply nested JSON in every checkpoint file the loader parses (config.json, the safetensors
// index, tokenizer_config.json, training ids, tokenizer.json): a typed error naming the file and
// the limit of 128, never a RangeError from a stack overflow; nesting within the limit parses.

import { InvalidArgumentError, MambaWebGpuError } from '@mamba-webgpu/tensor';
import { TokenizerConfigError } from '@mamba-webgpu/tokenizer';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../model/tokenizer.js';
import { parseIdsJson } from '../training/data/dataset.js';
import { parseSafetensorsIndex } from './checkpoint.js';
import { parseMambaConfig } from './config.js';
import { ConfigError, SafetensorsError } from './errors.js';
import { MAX_JSON_DEPTH } from './json.js';
import { parseTokenizerConfig } from './tokenizer-config.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** `{"<key>": <depth arrays>, ...rest}`: the root object adds one level. */
const deepText = (key: string, depth: number, rest = '') => `{"${key}":${nested(depth)}${rest}}`;

const parsers = [
  {
    file: 'config.json',
    parse: (text: string) => parseMambaConfig(text, 'config.json'),
    type: ConfigError,
  },
  {
    file: 'model.safetensors.index.json',
    parse: (text: string) => parseSafetensorsIndex(text, 'model.safetensors.index.json'),
    type: SafetensorsError,
  },
  {
    file: 'tokenizer_config.json',
    parse: (text: string) => parseTokenizerConfig(text, 'tokenizer_config.json'),
    type: ConfigError,
  },
  { file: 'the data', parse: (text: string) => parseIdsJson(text, 16), type: InvalidArgumentError },
];

describe('deeply nested JSON files give typed errors', () => {
  it.each(parsers)('$file', ({ file, parse, type }) => {
    for (const depth of [MAX_JSON_DEPTH, 1_000_000]) {
      let error: unknown;
      try {
        parse(deepText('x', depth));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    }
    // Within the limit the text parses (and fails, if at all, on its content, not its depth).
    try {
      parse(deepText('x', MAX_JSON_DEPTH - 1));
    } catch (error) {
      expect(error).toBeInstanceOf(MambaWebGpuError);
      expect((error as Error).message).not.toContain('deeper than');
    }
  });

  it('a deep value in an already-parsed config gives a ConfigError with a bounded message', () => {
    let deep: unknown = 64;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const error = (() => {
      try {
        parseMambaConfig({ hidden_size: deep, num_hidden_layers: 2, vocab_size: 16 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^parseMambaConfig: hidden_size in config.json must be a positive integer, got \[\[\[/,
    );
    expect((error as Error).message.length).toBeLessThan(200);
  });

  it('tokenizer.json through loadTokenizer', async () => {
    const decoder = `${'{"type":"Sequence","decoders":['.repeat(30_000)}{"type":"ByteLevel"}${']}'.repeat(30_000)}`;
    const text = `{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"decoder":${decoder}}`;
    await expect(loadTokenizer(text)).rejects.toThrow(TokenizerConfigError);
  });
});
