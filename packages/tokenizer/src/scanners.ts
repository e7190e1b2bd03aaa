// Hand-written scanners equal to the three pre-tokenizer regexes that almost every byte-level
// tokenizer uses (GPT-2's, Llama 3's with \p{N}{1,3}, Qwen's with \p{N}): same pieces as the
// onig regex under leftmost-first backtracking semantics, several times faster than RegExp.
import { CHAR_CLASS_ASCII, CLASS_LETTER, CLASS_NUMBER, CLASS_OTHER, CLASS_SPACE, charClass } from './unicode';

/** The GPT-2 pattern (ByteLevel pre-tokenizer with `use_regex`). */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
/** The Llama 3 (tiktoken cl100k-style) Split pattern. */
export const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** The Qwen 2/3 Split pattern (single digits). */
export const QWEN_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** A scanner appends the pieces of `text` (well-formed UTF-16) to `out`. */
export type Scanner = (text: string, out: string[]) => void;
/** A range scanner reports each piece of `text` as `emit(start, end)`, in order, covering it all. */
export type RangeScanner = (text: string, emit: (start: number, end: number) => void) => void;

/** The array form of a range scanner. */
export function toScanner(ranges: RangeScanner): Scanner {
  return (text, out) => ranges(text, (start, end) => out.push(text.slice(start, end)));
}

/** Class of the code point starting at `i` (a high surrogate reads the pair). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return CHAR_CLASS_ASCII[c]!;
  if (c >= 0xd800 && c <= 0xdbff) return charClass(text.codePointAt(i)!);
  return charClass(c);
}

/** UTF-16 width of the code point starting at `i`. */
function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff ? 2 : 1;
}

/** End of the run of code points of class `cls` starting at `i`. */
function runEnd(text: string, i: number, cls: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (CHAR_CLASS_ASCII[c] !== cls) return i;
      i++;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      if (charClass(text.codePointAt(i)!) !== cls) return i;
      i += 2;
    } else {
      if (charClass(c) !== cls) return i;
      i++;
    }
  }
  return n;
}

/** Length of a GPT-2 contraction (`'s`, `'re`, ...) at `i` (text[i] is `'`), or 0. */
function contraction(text: string, i: number, caseInsensitive: boolean): number {
  let c1 = text.charCodeAt(i + 1);
  if (Number.isNaN(c1)) return 0;
  if (caseInsensitive) {
    if (c1 === 0x17f)
      c1 = 115; // LATIN SMALL LETTER LONG S folds to s
    else if (c1 >= 65 && c1 <= 90) c1 += 32;
  }
  if (c1 === 115 || c1 === 116 || c1 === 109 || c1 === 100) return 2; // s t m d
  let c2 = text.charCodeAt(i + 2);
  if (Number.isNaN(c2)) return 0;
  if (caseInsensitive && c2 >= 65 && c2 <= 90) c2 += 32;
  if ((c1 === 114 || c1 === 118) && c2 === 101) return 3; // re ve
  if (c1 === 108 && c2 === 108) return 3; // ll
  return 0;
}

/**
 * End of a whitespace piece starting at `i` under `\s+(?!\S)|\s+`: the whole run at the end of
 * the text, else the run minus its last character (left for the next piece), else one char.
 */
function spaceEnd(text: string, i: number, end: number): number {
  if (end === text.length) return end;
  return end - 1 > i ? end - 1 : end;
}

/** GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. */
export const gpt2Ranges: RangeScanner = (text, emit) => {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39) {
      const len = contraction(text, i, false);
      if (len > 0) {
        emit(i, i + len);
        i += len;
        continue;
      }
    }
    let j = i;
    let cls: number;
    if (c === 32 && i + 1 < n) {
      cls = classAt(text, i + 1);
      if (cls !== CLASS_SPACE) j = i + 1;
      else cls = CLASS_SPACE;
    } else {
      cls = classAt(text, i);
    }
    if (cls !== CLASS_SPACE) {
      const end = runEnd(text, j, cls);
      emit(i, end);
      i = end;
      continue;
    }
    const end = spaceEnd(text, i, runEnd(text, i, CLASS_SPACE));
    emit(i, end);
    i = end;
  }
};

function makeLlamaRanges(maxDigits: number): RangeScanner {
  return (text, emit) => {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 39) {
        const len = contraction(text, i, true);
        if (len > 0) {
          emit(i, i + len);
          i += len;
          continue;
        }
      }
      const cls = classAt(text, i);
      // [^\r\n\p{L}\p{N}]?\p{L}+
      if (cls === CLASS_LETTER) {
        const end = runEnd(text, i, CLASS_LETTER);
        emit(i, end);
        i = end;
        continue;
      }
      if (cls !== CLASS_NUMBER && c !== 13 && c !== 10) {
        const j = i + widthAt(text, i);
        if (j < n && classAt(text, j) === CLASS_LETTER) {
          const end = runEnd(text, j, CLASS_LETTER);
          emit(i, end);
          i = end;
          continue;
        }
      }
      // \p{N}{1,maxDigits}
      if (cls === CLASS_NUMBER) {
        let end = i;
        for (let k = 0; k < maxDigits && end < n && classAt(text, end) === CLASS_NUMBER; k++) {
          end += widthAt(text, end);
        }
        emit(i, end);
        i = end;
        continue;
      }
      // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
      let j = -1;
      if (cls === CLASS_OTHER) j = i;
      else if (c === 32 && i + 1 < n && classAt(text, i + 1) === CLASS_OTHER) j = i + 1;
      if (j >= 0) {
        let end = runEnd(text, j, CLASS_OTHER);
        while (end < n) {
          const d = text.charCodeAt(end);
          if (d !== 13 && d !== 10) break;
          end++;
        }
        emit(i, end);
        i = end;
        continue;
      }
      // Whitespace: `\s*[\r\n]+` (up to the last CR/LF of the run), else `\s+(?!\S)|\s+`.
      const runStop = runEnd(text, i, CLASS_SPACE);
      let end = -1;
      for (let k = runStop - 1; k >= i; k--) {
        const d = text.charCodeAt(k);
        if (d === 13 || d === 10) {
          end = k + 1;
          break;
        }
      }
      if (end < 0) end = spaceEnd(text, i, runStop);
      emit(i, end);
      i = end;
    }
  };
}

/** Llama 3: `(?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`. */
export const llama3Ranges: RangeScanner = makeLlamaRanges(3);
/** Qwen 2/3: as Llama 3 with `\p{N}` (one digit per piece). */
export const qwenRanges: RangeScanner = makeLlamaRanges(1);

/** Array forms of the scanners. */
export const scanGpt2: Scanner = toScanner(gpt2Ranges);
export const scanLlama3: Scanner = toScanner(llama3Ranges);
export const scanQwen: Scanner = toScanner(qwenRanges);

/** The range scanner for an onig pattern, when one exists. */
export function rangeScannerFor(pattern: string): RangeScanner | undefined {
  if (pattern === GPT2_PATTERN) return gpt2Ranges;
  if (pattern === LLAMA3_PATTERN) return llama3Ranges;
  if (pattern === QWEN_PATTERN) return qwenRanges;
  return undefined;
}
