// Pre-tokenizers: one class per tokenizer.json `pre_tokenizer.type`. Each is a step that may
// split a piece into pieces and/or transform a piece (ByteLevel's byte mapping); `Sequence`
// flattens into its steps so the tokenizer can cache model output by the untransformed piece.
import { byteLevelEncode } from './byte-level';
import { UnsupportedComponentError } from './errors';
import {
  checkSequenceDepth,
  fail,
  type JsonObject,
  readArray,
  readBoolean,
  readObject,
  readString,
  readType,
} from './json';
import { readPattern } from './normalizers';
import { findMatches, type TextPattern } from './pattern';
import { GPT2_PATTERN, gpt2Ranges, type RangeScanner, rangeScannerFor, toScanner } from './scanners';
import { ONIG_SPACE_BODY, RUST_WORD_BODY } from './unicode';

/** How a Split keeps the delimiters it finds (`SplitDelimiterBehavior` in `tokenizers`). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

/** One pre-tokenization step. */
export interface PreTokenizerStep {
  /**
   * Appends the non-empty pieces of `text` to `out`; absent when the step does not split.
   * `atInputStart` tells whether `text` begins at offset 0 of the encoded input.
   */
  split?(text: string, out: string[], atInputStart?: boolean): void;
  /** Rewrites one piece; absent for the identity. */
  transform?(piece: string): string;
  /**
   * The same split as ranges, for the tokenizer's allocation-free path: `prepare` gives the
   * text the ranges refer to (ByteLevel may prefix a space), `scan` reports the pieces.
   */
  readonly ranges?: { prepare(text: string): string; scan: RangeScanner };
}

/**
 * Applies a split behaviour to match events (`[start, end, isMatch]` triples, see
 * `findMatches`) and appends the non-empty pieces, as `NormalizedString::split` does.
 */
export function splitByEvents(text: string, events: number[], behavior: SplitBehavior, out: string[]): void {
  const starts: number[] = [];
  const ends: number[] = [];
  const count = events.length / 3;
  switch (behavior) {
    case 'Isolated':
      for (let k = 0; k < count; k++) {
        starts.push(events[3 * k]!);
        ends.push(events[3 * k + 1]!);
      }
      break;
    case 'Removed':
      for (let k = 0; k < count; k++) {
        if (events[3 * k + 2] === 1) continue;
        starts.push(events[3 * k]!);
        ends.push(events[3 * k + 1]!);
      }
      break;
    case 'Contiguous':
    case 'MergedWithPrevious': {
      let previous = 0;
      for (let k = 0; k < count; k++) {
        const isMatch = events[3 * k + 2]!;
        const extend = behavior === 'Contiguous' ? isMatch === previous : isMatch === 1 && previous === 0;
        if (extend && ends.length > 0) ends[ends.length - 1] = events[3 * k + 1]!;
        else {
          starts.push(events[3 * k]!);
          ends.push(events[3 * k + 1]!);
        }
        previous = isMatch;
      }
      break;
    }
    case 'MergedWithNext': {
      let previous = 0;
      for (let k = count - 1; k >= 0; k--) {
        const isMatch = events[3 * k + 2]!;
        if (isMatch === 1 && previous === 0 && starts.length > 0) starts[starts.length - 1] = events[3 * k]!;
        else {
          starts.push(events[3 * k]!);
          ends.push(events[3 * k + 1]!);
        }
        previous = isMatch;
      }
      starts.reverse();
      ends.reverse();
      break;
    }
  }
  for (let k = 0; k < starts.length; k++) {
    if (ends[k]! > starts[k]!) out.push(text.slice(starts[k], ends[k]));
  }
}

/** `ByteLevel`: optional prefix space, optional GPT-2 regex split, then the byte-to-char mapping. */
export class ByteLevelPreTokenizer implements PreTokenizerStep {
  readonly split?: (text: string, out: string[]) => void;
  readonly ranges?: { prepare(text: string): string; scan: RangeScanner };
  constructor(
    readonly addPrefixSpace: boolean,
    readonly useRegex: boolean,
  ) {
    const prepare = (text: string) => (addPrefixSpace && !text.startsWith(' ') ? ` ${text}` : text);
    const scan = toScanner(gpt2Ranges);
    if (useRegex) this.ranges = { prepare, scan: gpt2Ranges };
    if (addPrefixSpace || useRegex) {
      this.split = (text, out) => {
        const prefixed = prepare(text);
        if (useRegex) scan(prefixed, out);
        else out.push(prefixed);
      };
    }
  }
  transform(piece: string): string {
    return byteLevelEncode(piece);
  }
}

/** `Split`: splits on a String or onig Regex pattern with a behaviour, optionally inverted. */
export class SplitPreTokenizer implements PreTokenizerStep {
  private readonly scanner: ((text: string, out: string[]) => void) | undefined;
  readonly ranges?: { prepare(text: string): string; scan: RangeScanner };
  constructor(
    readonly pattern: TextPattern,
    readonly behavior: SplitBehavior,
    readonly invert: boolean,
    source?: string,
  ) {
    const scan =
      source !== undefined && behavior === 'Isolated' && !invert ? rangeScannerFor(source) : undefined;
    this.scanner = scan ? toScanner(scan) : undefined;
    if (scan) this.ranges = { prepare: (text) => text, scan };
  }
  split(text: string, out: string[]): void {
    if (this.scanner) {
      this.scanner(text, out);
      return;
    }
    const events = findMatches(this.pattern, text);
    if (this.invert) for (let k = 2; k < events.length; k += 3) events[k] = 1 - events[k]!;
    splitByEvents(text, events, this.behavior, out);
  }
}

/** Split events for a per-character predicate (Rust's `Fn(char) -> bool` pattern). */
function charEvents(text: string, predicate: (c: number) => boolean): number[] {
  const events: number[] = [];
  if (text.length === 0) return [0, 0, 0];
  let last = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    if (predicate(cp)) {
      if (last < i) events.push(last, i, 0);
      events.push(i, i + w, 1);
      last = i + w;
    }
    i += w;
  }
  if (text.length > last) events.push(last, text.length, 0);
  return events;
}

const isAsciiDigit = (c: number) => c >= 48 && c <= 57;

/** `Digits`: isolates ASCII digits, one by one or in runs. */
export class DigitsPreTokenizer implements PreTokenizerStep {
  constructor(readonly individualDigits: boolean) {}
  split(text: string, out: string[]): void {
    splitByEvents(
      text,
      charEvents(text, isAsciiDigit),
      this.individualDigits ? 'Isolated' : 'Contiguous',
      out,
    );
  }
}

// Rust `regex` (not onig) classes: \w is Alphabetic|M|Nd|Pc|Join_Control, \s is White_Space.
const whitespacePattern = new RegExp(`${RUST_WORD_BODY}+|[^${RUST_WORD_BODY}${ONIG_SPACE_BODY}]+`, 'gv');
const whitespaceRun = new RegExp(`[${ONIG_SPACE_BODY}]+`, 'gu');

/** `Whitespace`: keeps the matches of `\w+|[^\w\s]+`. */
export class WhitespacePreTokenizer implements PreTokenizerStep {
  split(text: string, out: string[]): void {
    for (const m of text.matchAll(whitespacePattern)) out.push(m[0]);
  }
}

/** `WhitespaceSplit`: splits on whitespace, dropping it. */
export class WhitespaceSplitPreTokenizer implements PreTokenizerStep {
  split(text: string, out: string[]): void {
    for (const piece of text.split(whitespaceRun)) if (piece.length > 0) out.push(piece);
  }
}

/** How Metaspace prepends its replacement character. */
export type PrependScheme = 'always' | 'first' | 'never';

/**
 * `Metaspace`: spaces become the replacement character (`▁`), which is prepended per
 * `prepend_scheme` (`first`: only to the piece at the start of the input), and with `split` the
 * piece is split before each replacement character.
 */
export class MetaspacePreTokenizer implements PreTokenizerStep {
  constructor(
    readonly replacement: string,
    readonly prependScheme: PrependScheme,
    readonly splitPieces: boolean,
  ) {}
  split(text: string, out: string[], atInputStart = false): void {
    let piece = text.replaceAll(' ', this.replacement);
    const prepend = this.prependScheme === 'always' || (this.prependScheme === 'first' && atInputStart);
    if (prepend && !piece.startsWith(this.replacement)) piece = this.replacement + piece;
    if (!this.splitPieces) {
      if (piece.length > 0) out.push(piece);
      return;
    }
    const code = this.replacement.codePointAt(0)!;
    splitByEvents(
      piece,
      charEvents(piece, (c) => c === code),
      'MergedWithNext',
      out,
    );
  }
}

const SUPPORTED = ['ByteLevel', 'Split', 'Sequence', 'Digits', 'Whitespace', 'WhitespaceSplit', 'Metaspace'];

/** Builds the flat list of steps of a pre-tokenizer JSON object (`null` gives none). */
export function preTokenizerFromJSON(value: unknown, path = 'pre_tokenizer', depth = 0): PreTokenizerStep[] {
  if (value === null || value === undefined) return [];
  const obj: JsonObject = readObject(value, path);
  const type = readType(obj, path);
  switch (type) {
    case 'ByteLevel':
      return [
        new ByteLevelPreTokenizer(
          readBoolean(obj.add_prefix_space, `${path}.add_prefix_space`, true),
          readBoolean(obj.use_regex, `${path}.use_regex`, true),
        ),
      ];
    case 'Split': {
      const { pattern, source, isRegex } = readPattern(obj.pattern, `${path}.pattern`, 'Tokenizer.encode');
      const behavior = readString(obj.behavior, `${path}.behavior`) as SplitBehavior;
      if (!BEHAVIORS.includes(behavior)) fail(`${path}.behavior`, `one of ${BEHAVIORS.join(', ')}`, behavior);
      return [
        new SplitPreTokenizer(
          pattern,
          behavior,
          readBoolean(obj.invert, `${path}.invert`),
          isRegex ? source : undefined,
        ),
      ];
    }
    case 'Sequence': {
      checkSequenceDepth(depth, path);
      const items = readArray(obj.pretokenizers, `${path}.pretokenizers`);
      return items.flatMap((item, k) => preTokenizerFromJSON(item, `${path}.pretokenizers[${k}]`, depth + 1));
    }
    case 'Digits':
      return [new DigitsPreTokenizer(readBoolean(obj.individual_digits, `${path}.individual_digits`, false))];
    case 'Whitespace':
      return [new WhitespacePreTokenizer()];
    case 'WhitespaceSplit':
      return [new WhitespaceSplitPreTokenizer()];
    case 'Metaspace': {
      const replacement = readString(obj.replacement, `${path}.replacement`);
      if ([...replacement].length !== 1) fail(`${path}.replacement`, 'a single character', replacement);
      let scheme = (obj.prepend_scheme ?? 'always') as PrependScheme;
      if (!['always', 'first', 'never'].includes(scheme)) {
        fail(`${path}.prepend_scheme`, 'one of always, first, never', scheme);
      }
      if (obj.add_prefix_space === false) {
        if (scheme !== 'never') fail(`${path}.add_prefix_space`, 'consistent with prepend_scheme', false);
        scheme = 'never';
      }
      return [new MetaspacePreTokenizer(replacement, scheme, readBoolean(obj.split, `${path}.split`, true))];
    }
    default:
      throw new UnsupportedComponentError('pre_tokenizer', type, path, SUPPORTED);
  }
}

export { GPT2_PATTERN };
