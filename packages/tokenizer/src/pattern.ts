// Split/Replace patterns of tokenizer.json: onig regexes run on our own bounded matcher
// (regex-match.ts; never a JavaScript RegExp, whose backtracking cannot be interrupted), String
// patterns by literal search; onig's match iteration gives the split events `NormalizedString::split` consumes.
import { UnsupportedPatternError } from './errors';
import { RegexMatcher } from './regex-match';
import { type AssertKind, ONIG_WORD_BODY, parseOnigPattern, type RegexNode } from './regex-parse';
import { compileProgram } from './regex-program';

/** Something that finds matches in a text: `begin(text)`, then `search(from)` repeatedly. */
export interface TextPattern {
  begin(text: string): void;
  /** Finds the leftmost match starting at or after `from`; sets `matchStart` and `matchEnd`. */
  search(from: number): boolean;
  matchStart: number;
  matchEnd: number;
}

/** A `{ "String": s }` pattern: the occurrences of `s` (empty: an empty match at every position). */
export class LiteralPattern implements TextPattern {
  matchStart = 0;
  matchEnd = 0;
  private text = '';
  constructor(readonly literal: string) {}
  begin(text: string): void {
    this.text = text;
  }
  search(from: number): boolean {
    const at = this.text.indexOf(this.literal, from);
    if (at < 0 || from > this.text.length) return false;
    this.matchStart = at;
    this.matchEnd = at + this.literal.length;
    return true;
  }
}

/**
 * Compiles a `{ "Regex": r }` pattern (onig syntax) at `path`; `caller` (`Tokenizer.encode` or
 * `Tokenizer.decode`) starts the message of the error thrown when matching exceeds its budget.
 */
export function compileOnigRegex(pattern: string, path: string, caller: string): TextPattern {
  const program = compileProgram(parseOnigPattern(pattern, path), pattern, path);
  return new RegexMatcher(program, pattern, path, caller);
}

/** Escapes `text` so that it matches itself literally in a u- or v-mode RegExp (outside a class). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => (c === '-' ? '\\x2d' : `\\${c}`));
}

const WORD = `[${ONIG_WORD_BODY}]`;
const ASSERT_SOURCE: Record<AssertKind, string> = {
  lineStart: '(?:^|(?<=\\n)(?!$))',
  lineEnd: '(?=\\n|$)',
  textStart: '^',
  textEnd: '$',
  textEndNewline: '(?=\\n?$)',
  wordBoundary: `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`,
  notWordBoundary: `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`,
};

/** The tree as a JavaScript v-mode RegExp source (see translateOnigPattern). */
function toJavaScriptSource(node: RegexNode): string {
  switch (node.type) {
    case 'char':
      return /[0-9A-Za-z]/.test(String.fromCodePoint(node.cp))
        ? String.fromCodePoint(node.cp)
        : `\\u{${node.cp.toString(16)}}`;
    case 'set':
      // Nested: V8 11.3 (Node 20) matches excluded characters with a negated v-mode class in a
      // quantified group, e.g. /(?:[^a]x)+/v on 'ax'; /(?:[[^a]]x)+/v is right.
      return node.source.startsWith('[^') ? `[${node.source}]` : node.source;
    case 'seq':
      return node.items.map(toJavaScriptSource).join('');
    case 'alt':
      return `(?:${node.items.map(toJavaScriptSource).join('|')})`;
    case 'repeat': {
      const max = node.max === Number.POSITIVE_INFINITY ? '' : String(node.max);
      return `(?:${toJavaScriptSource(node.body)}){${node.min},${max}}${node.greedy ? '' : '?'}`;
    }
    case 'look':
      return `(?${node.behind ? '<' : ''}${node.negate ? '!' : '='}${toJavaScriptSource(node.body)})`;
    case 'assert':
      return ASSERT_SOURCE[node.kind];
  }
}

/**
 * The onig pattern as a JavaScript v-mode RegExp source with the same matches, except for onig's
 * rule that an empty iteration leaves a loop. Not used to tokenize (a RegExp's backtracking
 * cannot be bounded); tests check the matcher against it.
 */
export function translateOnigPattern(pattern: string, path: string): string {
  return toJavaScriptSource(parseOnigPattern(pattern, path));
}

/** Compiles a translated pattern (flags `gv`), turning engine syntax errors into typed errors. */
export function compilePattern(source: string, original: string, path: string): RegExp {
  try {
    return new RegExp(source, 'gv');
  } catch (error) {
    throw new UnsupportedPatternError(
      `Tokenizer.fromJSON: ${path} must be a regex JavaScript can run exactly, got a pattern JavaScript rejects (${(error as Error).message}) in ${JSON.stringify(original)}`,
      path,
    );
  }
}

/**
 * Split events of `text` by `pattern`: `[start, end, isMatch]` triples flattened into one
 * array, covering the whole text, with onig's iteration rule (an empty match right after the
 * previous match is skipped). An empty text gives one empty non-match, as in `tokenizers`.
 */
export function findMatches(pattern: TextPattern, text: string): number[] {
  const events: number[] = [];
  if (text.length === 0) {
    events.push(0, 0, 0);
    return events;
  }
  pattern.begin(text);
  let prev = 0;
  let lastMatchEnd = -1;
  let from = 0;
  while (from <= text.length && pattern.search(from)) {
    const start = pattern.matchStart;
    const end = pattern.matchEnd;
    from = end;
    if (start === end && end === lastMatchEnd) {
      // Advance one code point and search again (onig's FindMatches does the same).
      const c = text.codePointAt(end);
      from = end + (c !== undefined && c > 0xffff ? 2 : 1);
      continue;
    }
    if (prev !== start) events.push(prev, start, 0);
    events.push(start, end, 1);
    prev = end;
    lastMatchEnd = end;
  }
  if (prev !== text.length) events.push(prev, text.length, 0);
  return events;
}
