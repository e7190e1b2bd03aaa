// Node-only helpers: read a tokenizer.json from disk. Kept out of index.ts so the core package
// stays browser-safe.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { TokenizerConfigError } from './errors';
import { Tokenizer } from './tokenizer';

export * from './index';

function readError(path: string, error: unknown): TokenizerConfigError {
  return new TokenizerConfigError(
    `fromFile: path must name a readable tokenizer.json, got ${JSON.stringify(path)} (${(error as Error).message})`,
    '',
  );
}

/** Loads a tokenizer from a tokenizer.json file. */
export async function fromFile(path: string): Promise<Tokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(path, error);
  }
  return Tokenizer.fromJSON(text);
}

/** Loads a tokenizer from a tokenizer.json file, synchronously. */
export function fromFileSync(path: string): Tokenizer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(path, error);
  }
  return Tokenizer.fromJSON(text);
}
