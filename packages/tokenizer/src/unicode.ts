// Unicode character classes used by the hand-written pre-tokenizer scanners: letter (\p{L}),
// number (\p{N}), Oniguruma whitespace (\s = [\t-\r\x85\p{Z}]) and other. Built lazily per
// 1024-code-point block from the engine's Unicode tables minus what onig does not know yet.
import {
  ONIG_EXTRA_LETTER_CLASS,
  ONIG_EXTRA_NUMBER_CLASS,
  ONIG_NOT_LETTER_CLASS,
  ONIG_NOT_NUMBER_CLASS,
} from './unicode-legacy';

/** Class of a code point that is not a letter, number or whitespace. */
export const CLASS_OTHER = 0;
/** `\p{L}` */
export const CLASS_LETTER = 1;
/** `\p{N}` */
export const CLASS_NUMBER = 2;
/** Oniguruma / Rust-regex `\s`: U+0009..U+000D, U+0085 and `\p{Z}` (the White_Space property). */
export const CLASS_SPACE = 3;

/**
 * Rust `regex` crate's Unicode `\w` as a v-mode class body (Alphabetic, M, Nd, Pc, Join_Control),
 * minus the letters and numbers newer than the Rust library's Unicode tables.
 */
export const RUST_WORD_BODY = `[[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]--[${ONIG_NOT_LETTER_CLASS}${ONIG_NOT_NUMBER_CLASS}]]`;

/** Oniguruma's `\s` as a JavaScript (u-mode) class body, without brackets. */
export const ONIG_SPACE_BODY = '\\t-\\r\\x85\\p{Z}';

const BLOCK_BITS = 10;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const classes = new Uint8Array(0x110000);
const blockReady = new Uint8Array(0x110000 >> BLOCK_BITS);

// Letters/numbers of this engine that onig's older tables do not know: classed as other.
const notLetterRun = new RegExp(`[${ONIG_NOT_LETTER_CLASS}${ONIG_NOT_NUMBER_CLASS}]+`, 'gu');
// And the other way round (general categories that changed since onig's tables).
const extraLetterRun = new RegExp(`[${ONIG_EXTRA_LETTER_CLASS}]+`, 'gu');
const extraNumberRun = new RegExp(`[${ONIG_EXTRA_NUMBER_CLASS}]+`, 'gu');
const letterRun = /\p{L}+/gu;
const numberRun = /\p{N}+/gu;
const spaceRun = new RegExp(`[${ONIG_SPACE_BODY}]+`, 'gu');

function mark(text: string, pattern: RegExp, value: number): void {
  // Map UTF-16 offsets of the block string back to code points.
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    let offset = m.index;
    const end = offset + m[0].length;
    while (offset < end) {
      const cp = text.codePointAt(offset)!;
      classes[cp] = value;
      offset += cp > 0xffff ? 2 : 1;
    }
  }
}

function buildBlock(block: number): void {
  const first = block << BLOCK_BITS;
  let text = '';
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const cp = first + i;
    // Surrogate code points never reach the scanners (input is made well-formed first).
    text += cp >= 0xd800 && cp <= 0xdfff ? ' ' : String.fromCodePoint(cp);
  }
  mark(text, letterRun, CLASS_LETTER);
  mark(text, numberRun, CLASS_NUMBER);
  mark(text, spaceRun, CLASS_SPACE);
  mark(text, notLetterRun, CLASS_OTHER);
  mark(text, extraLetterRun, CLASS_LETTER);
  mark(text, extraNumberRun, CLASS_NUMBER);
  if (first <= 0xdfff && first + BLOCK_SIZE > 0xd800) {
    for (let cp = Math.max(first, 0xd800); cp <= Math.min(first + BLOCK_SIZE - 1, 0xdfff); cp++) {
      classes[cp] = CLASS_OTHER;
    }
  }
  blockReady[block] = 1;
}

/** The class (`CLASS_*`) of code point `cp`. */
export function charClass(cp: number): number {
  const block = cp >> BLOCK_BITS;
  if (blockReady[block] === 0) buildBlock(block);
  return classes[cp]!;
}

/** Start of the run of onig whitespace that ends at `end`, not before `floor`. */
export function spaceRunStart(text: string, end: number, floor: number): number {
  let i = end;
  while (i > floor) {
    const c = text.charCodeAt(i - 1);
    const w = c >= 0xdc00 && c <= 0xdfff && i - 2 >= floor ? 2 : 1;
    if (charClass(text.codePointAt(i - w)!) !== CLASS_SPACE) break;
    i -= w;
  }
  return i;
}

/** End of the run of onig whitespace that starts at `start`. */
export function spaceRunEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    if (charClass(cp) !== CLASS_SPACE) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Number of UTF-8 bytes of `text` (which must be well-formed). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const hasWellFormed = typeof (String.prototype as { toWellFormed?: unknown }).toWellFormed === 'function';

/** Replaces lone surrogates by U+FFFD, as UTF-8 encoding (and Rust strings) require. */
export function toWellFormed(text: string): string {
  if (hasWellFormed) return (text as string & { toWellFormed(): string }).toWellFormed();
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** `charClass` of the ASCII range, for the scanners' fast path. */
export const CHAR_CLASS_ASCII: Uint8Array = Uint8Array.from({ length: 128 }, (_, c) => charClass(c));
