// Decoders: one class per tokenizer.json `decoder.type`, turning token strings back into text
// as the Rust `tokenizers` decoders do (`decodeChain` maps tokens to tokens, then we join).
import { byteLevelTokenBytes } from './byte-level';
import { UnsupportedComponentError } from './errors';
import {
  checkSequenceDepth,
  fail,
  type JsonObject,
  readArray,
  readInteger,
  readObject,
  readString,
  readType,
} from './json';
import { readPattern, replaceAll } from './normalizers';
import type { TextPattern } from './pattern';

/** A decoder maps the token strings of some ids to text pieces that are then joined. */
export interface Decoder {
  decodeChain(tokens: string[]): string[];
}

const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Joins byte arrays and decodes them as UTF-8, replacing invalid sequences by U+FFFD. */
export function decodeBytesLossy(chunks: Uint8Array[]): string {
  let length = 0;
  for (const c of chunks) length += c.length;
  const all = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return lossy.decode(all);
}

/** `ByteLevel`: maps byte-level characters back to bytes and decodes them (lossy UTF-8). */
export class ByteLevelDecoder implements Decoder {
  decodeChain(tokens: string[]): string[] {
    return [decodeBytesLossy(tokens.map(byteLevelTokenBytes))];
  }
}

/** `Replace`: replaces a pattern in every token. */
export class ReplaceDecoder implements Decoder {
  constructor(
    readonly pattern: TextPattern,
    readonly content: string,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t) => replaceAll(this.pattern, t, this.content));
  }
}

/** `Fuse`: joins all tokens into one. */
export class FuseDecoder implements Decoder {
  decodeChain(tokens: string[]): string[] {
    return [tokens.join('')];
  }
}

/** `Strip`: removes up to `start` leading and `stop` trailing `content` characters of every token. */
export class StripDecoder implements Decoder {
  constructor(
    readonly content: string,
    readonly start: number,
    readonly stop: number,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token) => {
      const chars = [...token];
      let startCut = 0;
      for (let i = 0; i < Math.min(this.start, chars.length); i++) {
        if (chars[i] !== this.content) break;
        startCut = i + 1;
      }
      let stopCut = chars.length;
      for (let i = 0; i < this.stop; i++) {
        const index = chars.length - i - 1;
        if (index < 0 || chars[index] !== this.content) break;
        stopCut = index;
      }
      return stopCut > startCut ? chars.slice(startCut, stopCut).join('') : '';
    });
  }
}

/** `ByteFallback`: turns runs of `<0xHH>` tokens into the text of their bytes. */
export class ByteFallbackDecoder implements Decoder {
  decodeChain(tokens: string[]): string[] {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length === 0) return;
      try {
        out.push(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes)));
      } catch {
        for (let k = 0; k < bytes.length; k++) out.push('\ufffd');
      }
      bytes = [];
    };
    for (const token of tokens) {
      const m = token.length === 6 ? /^<0x([0-9A-Fa-f]{2})>$/.exec(token) : null;
      if (m) bytes.push(Number.parseInt(m[1]!, 16));
      else {
        flush();
        out.push(token);
      }
    }
    flush();
    return out;
  }
}

/** `Metaspace`: the replacement character becomes a space, dropped in the first token unless `never`. */
export class MetaspaceDecoder implements Decoder {
  constructor(
    readonly replacement: string,
    readonly prependScheme: 'always' | 'first' | 'never',
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) =>
      token.replaceAll(this.replacement, i === 0 && this.prependScheme !== 'never' ? '' : ' '),
    );
  }
}

/** `Sequence`: applies its decoders in order. */
export class SequenceDecoder implements Decoder {
  constructor(readonly decoders: readonly Decoder[]) {}
  decodeChain(tokens: string[]): string[] {
    let out = tokens;
    for (const decoder of this.decoders) out = decoder.decodeChain(out);
    return out;
  }
}

const SUPPORTED = ['ByteLevel', 'Replace', 'Fuse', 'Strip', 'ByteFallback', 'Metaspace', 'Sequence'];

/** Builds a decoder from its tokenizer.json object (`null` gives `undefined`). */
export function decoderFromJSON(value: unknown, path = 'decoder', depth = 0): Decoder | undefined {
  if (value === null || value === undefined) return undefined;
  const obj: JsonObject = readObject(value, path);
  const type = readType(obj, path);
  switch (type) {
    case 'ByteLevel':
      return new ByteLevelDecoder();
    case 'Replace': {
      const { pattern } = readPattern(obj.pattern, `${path}.pattern`, 'Tokenizer.decode');
      return new ReplaceDecoder(pattern, readString(obj.content, `${path}.content`));
    }
    case 'Fuse':
      return new FuseDecoder();
    case 'Strip': {
      const content = readString(obj.content, `${path}.content`);
      if ([...content].length !== 1) fail(`${path}.content`, 'a single character', content);
      return new StripDecoder(
        content,
        readInteger(obj.start, `${path}.start`, 0, 2 ** 31),
        readInteger(obj.stop, `${path}.stop`, 0, 2 ** 31),
      );
    }
    case 'ByteFallback':
      return new ByteFallbackDecoder();
    case 'Metaspace': {
      const replacement = readString(obj.replacement, `${path}.replacement`);
      if ([...replacement].length !== 1) fail(`${path}.replacement`, 'a single character', replacement);
      const declared = obj.prepend_scheme ?? 'always';
      if (declared !== 'always' && declared !== 'first' && declared !== 'never') {
        fail(`${path}.prepend_scheme`, 'one of always, first, never', declared);
      }
      return new MetaspaceDecoder(replacement, obj.add_prefix_space === false ? 'never' : declared);
    }
    case 'Sequence': {
      checkSequenceDepth(depth, path);
      const items = readArray(obj.decoders, `${path}.decoders`);
      const decoders: Decoder[] = [];
      items.forEach((item, k) => {
        const decoder = decoderFromJSON(item, `${path}.decoders[${k}]`, depth + 1);
        if (decoder) decoders.push(decoder);
      });
      return new SequenceDecoder(decoders);
    }
    default:
      throw new UnsupportedComponentError('decoder', type, path, SUPPORTED);
  }
}
