// The model's view of a tokenizer: encode/decode and an incremental decoder for streaming,
// backed by @mamba-webgpu/tokenizer's exact tokenizer.json implementation.

import { Tokenizer } from '@mamba-webgpu/tokenizer';

export interface StreamDecoder {
  /** Adds one id; returns the text it completes ('' while a UTF-8 character is incomplete). */
  push(id: number): string;
  /** Returns whatever text is still held back. */
  flush(): string;
}

export interface ModelTokenizer {
  readonly tokenizer: Tokenizer;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  streamDecoder(): StreamDecoder;
}

/** Parses a tokenizer.json text. */
export async function loadTokenizer(json: string): Promise<ModelTokenizer> {
  const tokenizer = Tokenizer.fromJSON(json);
  return {
    tokenizer,
    encode: (text) => tokenizer.encode(text, { addSpecialTokens: false }),
    decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: false }),
    streamDecoder: () => {
      const stream = tokenizer.decodeStream({ skipSpecialTokens: false });
      return { push: (id) => stream.step(id), flush: () => stream.flush() };
    },
  };
}
