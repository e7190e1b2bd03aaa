// Normalizers: one class per tokenizer.json `normalizer.type`, each rewriting a string the way
// the Rust `tokenizers` normalizer of that name does (offsets are not tracked: we return ids).
import { UnsupportedComponentError } from './errors';
import {
  checkSequenceDepth,
  type JsonObject,
  readArray,
  readBoolean,
  readObject,
  readString,
  readType,
} from './json';
import { compileOnigRegex, findMatches, LiteralPattern, type TextPattern } from './pattern';
import { spaceRunEnd, spaceRunStart } from './unicode';
import { EXTRA_MARK_CLASS, LEGACY_MARK_CLASS, LEGACY_UNICODE_CLASS } from './unicode-legacy';

/** A normalizer rewrites the text before pre-tokenization. */
export interface Normalizer {
  normalize(text: string): string;
}

const legacyChars = new RegExp(`[${LEGACY_UNICODE_CLASS}]`, 'gu');
let legacyBitmap: Uint8Array | undefined;

/** Whether `text` holds a code point of LEGACY_UNICODE_CLASS (a bitmap scan; a RegExp is slower). */
export function hasLegacyChar(text: string): boolean {
  if (!legacyBitmap) {
    legacyBitmap = new Uint8Array(0x110000 >> 3);
    const cps = [...LEGACY_UNICODE_CLASS].map((c) => c.codePointAt(0)!);
    for (let k = 0; k < cps.length; k++) {
      const last = cps[k + 1] === 0x2d && k + 2 < cps.length ? cps[k + 2]! : cps[k]!;
      for (let cp = cps[k]!; cp <= last; cp++) legacyBitmap[cp >> 3]! |= 1 << (cp & 7);
      if (last !== cps[k]) k += 2;
    }
  }
  const bitmap = legacyBitmap;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x7fd) continue;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      cp = text.codePointAt(i)!;
      i++;
    }
    if ((bitmap[cp >> 3]! & (1 << (cp & 7))) !== 0) return true;
  }
  return false;
}

/**
 * `NFC`, `NFD`, `NFKC`, `NFKD`: Unicode normalization forms. Code points newer than the Rust
 * library's normalization tables are left as they are and normalization runs on the text between
 * them, since to those tables they are unassigned starters (see scripts/legacy-unicode.mjs).
 */
export class UnicodeNormalizer implements Normalizer {
  constructor(readonly form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD') {}
  normalize(text: string): string {
    if (!hasLegacyChar(text)) return text.normalize(this.form);
    let out = '';
    let last = 0;
    for (const m of text.matchAll(legacyChars)) {
      out += text.slice(last, m.index).normalize(this.form) + m[0];
      last = m.index + m[0].length;
    }
    return out + text.slice(last).normalize(this.form);
  }
}

/** `Lowercase`: per-character full lowercase mapping (Rust `char::to_lowercase`, no final-sigma rule). */
export class LowercaseNormalizer implements Normalizer {
  normalize(text: string): string {
    if (!text.includes('\u03a3')) return text.toLowerCase();
    return text
      .split('\u03a3')
      .map((part) => part.toLowerCase())
      .join('\u03c3');
  }
}

/** `Sequence`: applies its normalizers in order. */
export class SequenceNormalizer implements Normalizer {
  constructor(readonly normalizers: readonly Normalizer[]) {}
  normalize(text: string): string {
    let out = text;
    for (const normalizer of this.normalizers) out = normalizer.normalize(out);
    return out;
  }
}

/** `Replace`: replaces every match of a String or (onig) Regex pattern by `content`. */
export class ReplaceNormalizer implements Normalizer {
  constructor(
    readonly pattern: TextPattern,
    readonly content: string,
  ) {}
  normalize(text: string): string {
    return replaceAll(this.pattern, text, this.content);
  }
}

/** Replaces each match event of `pattern` in `text` by `content` (onig match iteration). */
export function replaceAll(pattern: TextPattern, text: string, content: string): string {
  const events = findMatches(pattern, text);
  let out = '';
  for (let k = 0; k < events.length; k += 3) {
    out += events[k + 2] === 1 ? content : text.slice(events[k]!, events[k + 1]!);
  }
  return out;
}

/** `Prepend`: prepends a string to non-empty text. */
export class PrependNormalizer implements Normalizer {
  constructor(readonly prepend: string) {}
  normalize(text: string): string {
    return text.length === 0 ? text : this.prepend + text;
  }
}

/** `Strip`: removes leading and/or trailing whitespace. */
export class StripNormalizer implements Normalizer {
  constructor(
    readonly left: boolean,
    readonly right: boolean,
  ) {}
  normalize(text: string): string {
    // Scans, not /\s+$/: a RegExp retries that from every space of a run (quadratic).
    const start = this.left ? spaceRunEnd(text, 0) : 0;
    const end = this.right ? spaceRunStart(text, text.length, start) : text.length;
    return start === 0 && end === text.length ? text : text.slice(start, end);
  }
}

const combiningMark = new RegExp(`(?![${LEGACY_MARK_CLASS}])\\p{M}|[${EXTRA_MARK_CLASS}]`, 'gu');

/** `StripAccents`: removes combining marks (as the Rust library's Unicode tables know them). */
export class StripAccentsNormalizer implements Normalizer {
  normalize(text: string): string {
    return text.replace(combiningMark, '');
  }
}

/**
 * Reads a `{ "String": s }` / `{ "Regex": r }` pattern object; `caller` names the public method
 * in the error thrown when a regex exceeds its matching budget.
 */
export function readPattern(
  value: unknown,
  path: string,
  caller: string,
): { pattern: TextPattern; source: string; isRegex: boolean } {
  const obj = readObject(value, path);
  if (typeof obj.String === 'string') {
    return { pattern: new LiteralPattern(obj.String), source: obj.String, isRegex: false };
  }
  const source = readString(obj.Regex, `${path}.Regex`);
  return { pattern: compileOnigRegex(source, `${path}.Regex`, caller), source, isRegex: true };
}

const SUPPORTED = [
  'NFC',
  'NFD',
  'NFKC',
  'NFKD',
  'Lowercase',
  'Sequence',
  'Replace',
  'Prepend',
  'Strip',
  'StripAccents',
];

/** Builds a normalizer from its tokenizer.json object (`null` gives `undefined`). */
export function normalizerFromJSON(value: unknown, path = 'normalizer', depth = 0): Normalizer | undefined {
  if (value === null || value === undefined) return undefined;
  const obj: JsonObject = readObject(value, path);
  const type = readType(obj, path);
  switch (type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return new UnicodeNormalizer(type);
    case 'Lowercase':
      return new LowercaseNormalizer();
    case 'Sequence': {
      checkSequenceDepth(depth, path);
      const items = readArray(obj.normalizers, `${path}.normalizers`);
      const parts: Normalizer[] = [];
      items.forEach((item, k) => {
        const part = normalizerFromJSON(item, `${path}.normalizers[${k}]`, depth + 1);
        if (part) parts.push(part);
      });
      return new SequenceNormalizer(parts);
    }
    case 'Replace': {
      const { pattern } = readPattern(obj.pattern, `${path}.pattern`, 'Tokenizer.encode');
      return new ReplaceNormalizer(pattern, readString(obj.content, `${path}.content`));
    }
    case 'Prepend':
      return new PrependNormalizer(readString(obj.prepend, `${path}.prepend`));
    case 'Strip':
      return new StripNormalizer(
        readBoolean(obj.strip_left, `${path}.strip_left`, true),
        readBoolean(obj.strip_right, `${path}.strip_right`, true),
      );
    case 'StripAccents':
      return new StripAccentsNormalizer();
    default:
      throw new UnsupportedComponentError('normalizer', type, path, SUPPORTED);
  }
}
