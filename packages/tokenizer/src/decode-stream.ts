// Incremental decoding: ids arrive one at a time and text comes out as soon as it is complete,
// never splitting a UTF-8 character. The concatenation of all chunks plus `flush()` equals
// `decode` of all the ids.
import { TokenizerError } from './errors';
import type { Tokenizer } from './tokenizer';

/**
 * A streaming decoder made by `Tokenizer.decodeStream()`. For ByteLevel decoders it feeds each
 * token's bytes to a streaming UTF-8 decoder; for other decoders it re-decodes a short window
 * of ids and emits the new suffix once it no longer ends in U+FFFD (as `tokenizers`'
 * `DecodeStream` does).
 */
export class DecodeStream {
  private readonly utf8: TextDecoder | undefined;
  private ids: number[] = [];
  private prefix = '';
  private prefixIndex = 0;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly skipSpecialTokens: boolean,
    /** Force the windowed algorithm even for ByteLevel decoders (tests use it). */
    windowed = false,
  ) {
    this.utf8 =
      tokenizer.byteLevelDecoder && !windowed
        ? new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
        : undefined;
  }

  /** Adds one id; returns the text it completes ('' when nothing is complete yet). */
  step(id: number): string {
    if (this.utf8) {
      const bytes = this.tokenizer.tokenBytes(id, this.skipSpecialTokens, 'DecodeStream.step');
      return bytes.length === 0 ? '' : this.utf8.decode(bytes, { stream: true });
    }
    this.tokenizer.checkedToken(id, 'DecodeStream.step');
    return this.stepWindowed(id);
  }

  /** Adds several ids; returns the text they complete. */
  push(ids: ArrayLike<number>): string {
    let text = '';
    for (let k = 0; k < ids.length; k++) text += this.step(ids[k]!);
    return text;
  }

  /** Ends the stream: returns what is still pending (incomplete bytes become U+FFFD) and resets. */
  flush(): string {
    if (this.utf8) return this.utf8.decode();
    const text = this.decodeWindow();
    const rest =
      text.length > this.prefix.length && text.startsWith(this.prefix) ? text.slice(this.prefix.length) : '';
    this.ids = [];
    this.prefix = '';
    this.prefixIndex = 0;
    return rest;
  }

  private decodeWindow(): string {
    return this.tokenizer.decodeTokens(
      this.tokenizer.idsToTokens(this.ids, this.skipSpecialTokens, 'DecodeStream.step'),
    );
  }

  private stepWindowed(id: number): string {
    if (this.prefix.length === 0 && this.ids.length > 0) {
      const prefix = this.decodeWindow();
      if (!prefix.endsWith('\ufffd')) {
        this.prefix = prefix;
        this.prefixIndex = this.ids.length;
      }
    }
    this.ids.push(id);
    const text = this.decodeWindow();
    if (text.length <= this.prefix.length || text.endsWith('\ufffd')) return '';
    if (!text.startsWith(this.prefix)) {
      throw new TokenizerError(
        `DecodeStream.step: decoded text must extend the previous text ${JSON.stringify(this.prefix)}, got ${JSON.stringify(text)}`,
      );
    }
    const fresh = text.slice(this.prefix.length);
    const newPrefixIndex = this.ids.length - this.prefixIndex;
    this.ids = this.ids.slice(this.prefixIndex);
    this.prefix = this.decodeWindow();
    this.prefixIndex = newPrefixIndex;
    return fresh;
  }
}
