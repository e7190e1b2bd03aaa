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

/**
 * Parses a tokenizer.json text. Ids the tokenizer has no token for decode to nothing, as Hugging
 * Face `tokenizers` decodes them: a model's embedding often has more rows than its tokenizer has
 * ids (mamba-130m-hf: 50280 rows, 50277 ids), and sampling may pick one of the extra rows. The
 * tokenizer package itself stays strict (`Tokenizer.decode` throws on such ids).
 */
export async function loadTokenizer(json: string): Promise<ModelTokenizer> {
  const tokenizer = Tokenizer.fromJSON(json);
  const known = (id: number) => tokenizer.idToToken(id) !== undefined;
  return {
    tokenizer,
    encode: (text) => tokenizer.encode(text, { addSpecialTokens: false }),
    decode: (ids) => tokenizer.decode(ids.filter(known), { skipSpecialTokens: false }),
    streamDecoder: () => {
      const stream = tokenizer.decodeStream({ skipSpecialTokens: false });
      return { push: (id) => (known(id) ? stream.step(id) : ''), flush: () => stream.flush() };
    },
  };
}
