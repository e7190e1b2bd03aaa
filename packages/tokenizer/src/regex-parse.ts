// Oniguruma (Ruby syntax) patterns, what Rust `tokenizers` compiles Split/Replace regexes with,
// parsed into a small tree with onig's meanings: a character class keeps its JavaScript v-mode
// source (`\s` = `[\t-\r\x85\p{Z}]`, `\p{L}` without the letters onig's tables lack, ...).
import { UnsupportedPatternError } from './errors';
import { ONIG_SPACE_BODY } from './unicode';
import {
  ONIG_EXTRA_LETTER_CLASS,
  ONIG_EXTRA_NUMBER_CLASS,
  ONIG_NOT_LETTER_CLASS,
  ONIG_NOT_NUMBER_CLASS,
} from './unicode-legacy';

/** A zero-width assertion. `line*` are onig's `^`/`$` (always multi-line in Ruby syntax). */
export type AssertKind =
  | 'lineStart'
  | 'lineEnd'
  | 'textStart'
  | 'textEnd'
  | 'textEndNewline'
  | 'wordBoundary'
  | 'notWordBoundary';

/** A parsed pattern. `set.source` is a v-mode class (`[...]`) matching one code point. */
export type RegexNode =
  | { type: 'char'; cp: number }
  | { type: 'set'; source: string }
  | { type: 'seq'; items: RegexNode[] }
  | { type: 'alt'; items: RegexNode[] }
  | { type: 'repeat'; body: RegexNode; min: number; max: number; greedy: boolean }
  | { type: 'look'; behind: boolean; negate: boolean; body: RegexNode }
  | { type: 'assert'; kind: AssertKind };

/** Groups and look-arounds nest at most this deep (onig's own parse-depth limit is 4096). */
export const MAX_PATTERN_NESTING = 200;

// onig's tables are older than this engine's: a property there is this engine's property minus
// the letters and numbers onig does not know (unassigned to it). v-mode class set difference.
const ONIG_UNKNOWN = `[${ONIG_NOT_LETTER_CLASS}${ONIG_NOT_NUMBER_CLASS}]`;
const onigProperty = (property: string) => {
  if (['Cn', 'C', 'Other', 'Unassigned', 'Any'].includes(property)) return `\\p{${property}}`;
  const extra =
    property === 'L' || property === 'Letter'
      ? ONIG_EXTRA_LETTER_CLASS
      : property === 'N' || property === 'Number'
        ? ONIG_EXTRA_NUMBER_CLASS
        : '';
  const known = `[\\p{${property}}--${ONIG_UNKNOWN}]`;
  return extra === '' ? known : `[${known}[${extra}]]`;
};
/** onig's `\w` (Letter, Mark, Decimal_Number, Connector_Punctuation) as a v-mode class body. */
export const ONIG_WORD_BODY = `${onigProperty('L')}${onigProperty('M')}${onigProperty('Nd')}${onigProperty('Pc')}`;
// Characters a v-mode class only takes escaped (syntax characters and reserved punctuators).
const CLASS_ESCAPE = new Set('^$\\.*+?()[]{}|/&-!#%,:;<=>@`~'.split(''));
const CONTROL_ESCAPES: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
const QUANTIFIER = /^\{(\d*)(,(\d*))?\}/;

/** The case variants `(?i:...)` accepts for `ch` (Unicode simple case folding). */
function caseVariants(ch: string): string[] {
  const set = new Set<string>([ch]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    if ([...v].length === 1) set.add(v);
  }
  // Characters whose simple case folding lands on an ASCII letter (CaseFolding.txt).
  if (ch === 's' || ch === 'S') set.add('\u017f');
  if (ch === 'k' || ch === 'K') set.add('\u212a');
  return [...set];
}

/** A `{n}`, `{n,}`, `{,m}` or `{n,m}` quantifier at the start of `rest`, or undefined (a literal `{`). */
function readInterval(rest: string): { min: number; max: number; length: number } | undefined {
  const m = QUANTIFIER.exec(rest);
  if (!m || (m[1] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  const min = m[1] === '' ? 0 : Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
  return { min, max, length: m[0].length };
}

class Parser {
  private i = 0;
  private depth = 0;
  private caseInsensitive = 0;
  constructor(
    private readonly pattern: string,
    private readonly path: string,
  ) {}

  fail(what: string): never {
    throw new UnsupportedPatternError(
      `Tokenizer.fromJSON: ${this.path} must be an onig regex this package can run exactly, got ${what} in ${JSON.stringify(this.pattern)}`,
      this.path,
    );
  }

  parse(): RegexNode {
    const node = this.alternation();
    if (this.i < this.pattern.length) this.fail('an unbalanced )');
    return node;
  }

  private alternation(): RegexNode {
    const items = [this.sequence()];
    while (this.pattern[this.i] === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { type: 'alt', items };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    const p = this.pattern;
    while (this.i < p.length && p[this.i] !== '|' && p[this.i] !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  /** Applies the quantifier after `atom`, if any (one only: onig's nested repeats are refused). */
  private quantified(atom: RegexNode): RegexNode {
    const p = this.pattern;
    const q = this.quantifierAt(this.i);
    if (q === undefined) return atom;
    if (atom.type === 'assert' || atom.type === 'look') this.fail('a quantified assertion');
    this.i += q.length;
    let greedy = true;
    if (p[this.i] === '?') {
      greedy = false;
      this.i++;
    } else if (p[this.i] === '+' && q.length === 1) {
      this.fail('a possessive quantifier');
    }
    if (this.quantifierAt(this.i) !== undefined) this.fail('a quantifier after a quantifier');
    if (q.min > q.max) this.fail(`the quantifier {${q.min},${q.max}} (min > max)`);
    return { type: 'repeat', body: atom, min: q.min, max: q.max, greedy };
  }

  private quantifierAt(i: number): { min: number; max: number; length: number } | undefined {
    const c = this.pattern[i];
    if (c === '*') return { min: 0, max: Number.POSITIVE_INFINITY, length: 1 };
    if (c === '+') return { min: 1, max: Number.POSITIVE_INFINITY, length: 1 };
    if (c === '?') return { min: 0, max: 1, length: 1 };
    if (c === '{') return readInterval(this.pattern.slice(i, i + 40));
    return undefined;
  }

  private atom(): RegexNode {
    const p = this.pattern;
    const cp = p.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    if (this.quantifierAt(this.i) !== undefined) this.fail('a quantifier with nothing to repeat');
    this.i += ch.length;
    switch (ch) {
      case '\\':
        return this.escape();
      case '[':
        return { type: 'set', source: this.charClass() };
      case '(':
        return this.group();
      case '.':
        return { type: 'set', source: '[^\\n]' };
      case '^':
        return { type: 'assert', kind: 'lineStart' };
      case '$':
        return { type: 'assert', kind: 'lineEnd' };
      default:
        return this.literal(ch);
    }
  }

  private literal(ch: string): RegexNode {
    if (this.caseInsensitive > 0 && /\p{L}/u.test(ch)) {
      const variants = caseVariants(ch);
      if (variants.length > 1) return { type: 'set', source: `[${variants.join('')}]` };
    }
    return { type: 'char', cp: ch.codePointAt(0)! };
  }

  private group(): RegexNode {
    if (++this.depth > MAX_PATTERN_NESTING) this.fail(`groups nested deeper than ${MAX_PATTERN_NESTING}`);
    const p = this.pattern;
    let node: RegexNode;
    // onig refuses a quantified assertion, also in a (?:...) group, but not in a capturing one:
    // wrapped in a sequence, a captured assertion may take a quantifier.
    const captured = (body: RegexNode): RegexNode =>
      body.type === 'assert' || body.type === 'look' ? { type: 'seq', items: [body] } : body;
    if (p[this.i] !== '?') {
      node = captured(this.alternation());
    } else {
      const rest = p.slice(this.i + 1, this.i + 3);
      const name = /^<[A-Za-z_][A-Za-z0-9_]*>/.exec(p.slice(this.i + 1, this.i + 200));
      if (rest === 'i:') {
        this.i += 3;
        this.caseInsensitive++;
        node = this.alternation();
        this.caseInsensitive--;
      } else if (rest.startsWith(':')) {
        this.i += 2;
        node = this.alternation();
      } else if (rest.startsWith('=') || rest.startsWith('!')) {
        this.i += 2;
        node = { type: 'look', behind: false, negate: rest[0] === '!', body: this.alternation() };
      } else if (rest === '<=' || rest === '<!') {
        this.i += 3;
        node = { type: 'look', behind: true, negate: rest[1] === '!', body: this.alternation() };
      } else if (name) {
        this.i += 1 + name[0].length;
        node = captured(this.alternation());
      } else {
        this.fail(`the group (?${rest}`);
      }
    }
    if (p[this.i] !== ')') this.fail('an unterminated group');
    this.i++;
    this.depth--;
    return node;
  }

  private hex(digits: string, what: string): number {
    const cp = /^[0-9A-Fa-f]+$/.test(digits) ? Number.parseInt(digits, 16) : Number.NaN;
    if (!(cp <= 0x10ffff)) this.fail(what);
    return cp;
  }

  /** A `\x..` / `\u..` code point after the letter; `i` is past the letter. */
  private codePointEscape(letter: string): number {
    const p = this.pattern;
    if (p[this.i] === '{') {
      const close = p.indexOf('}', this.i);
      if (close < 0) this.fail(`an unterminated \\${letter}{`);
      const cp = this.hex(p.slice(this.i + 1, close), `a bad \\${letter}{...} escape`);
      this.i = close + 1;
      return cp;
    }
    const width = letter === 'x' ? 2 : 4;
    const cp = this.hex(p.slice(this.i, this.i + width), `a bad \\${letter} escape`);
    if (p.slice(this.i, this.i + width).length !== width) this.fail(`a bad \\${letter} escape`);
    this.i += width;
    return cp;
  }

  private property(negatedEscape: boolean): string {
    const p = this.pattern;
    const close = p.indexOf('}', this.i);
    if (p[this.i] !== '{' || close < 0) this.fail(`\\${negatedEscape ? 'P' : 'p'} without {name}`);
    let name = p.slice(this.i + 1, close);
    let negated = negatedEscape;
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    this.i = close + 1;
    const onigClass = onigProperty(this.unicodeProperty(name));
    if (!onigClass.startsWith('[')) return `[${negated ? onigClass.replace('\\p', '\\P') : onigClass}]`;
    return negated ? `[^${onigClass.slice(1)}` : onigClass;
  }

  private unicodeProperty(name: string): string {
    for (const candidate of [name, `Script=${name}`]) {
      try {
        new RegExp(`\\p{${candidate}}`, 'u');
        return candidate;
      } catch {
        // try the next spelling
      }
    }
    return this.fail(`the unknown property \\p{${name}}`);
  }

  /** An escape outside a class; `i` is past the backslash. */
  private escape(): RegexNode {
    const p = this.pattern;
    const cp = p.codePointAt(this.i);
    if (cp === undefined) this.fail('a trailing backslash');
    const e = String.fromCodePoint(cp);
    this.i += e.length;
    const set = (source: string): RegexNode => ({ type: 'set', source });
    const assert = (kind: AssertKind): RegexNode => ({ type: 'assert', kind });
    switch (e) {
      case 's':
        return set(`[${ONIG_SPACE_BODY}]`);
      case 'S':
        return set(`[^${ONIG_SPACE_BODY}]`);
      case 'd':
        return set(onigProperty('Nd'));
      case 'D':
        return set(`[^${onigProperty('Nd').slice(1)}`);
      case 'w':
        return set(`[${ONIG_WORD_BODY}]`);
      case 'W':
        return set(`[^${ONIG_WORD_BODY}]`);
      case 'h':
        return set('[0-9a-fA-F]');
      case 'H':
        return set('[^0-9a-fA-F]');
      case 'p':
      case 'P':
        return set(this.property(e === 'P'));
      case 'A':
        return assert('textStart');
      case 'z':
        return assert('textEnd');
      case 'Z':
        return assert('textEndNewline');
      case 'b':
        return assert('wordBoundary');
      case 'B':
        return assert('notWordBoundary');
      case 'x':
      case 'u':
        return this.literal(String.fromCodePoint(this.codePointEscape(e)));
      case '0':
        if (/[0-9]/.test(p[this.i] ?? '')) this.fail('an octal escape');
        return { type: 'char', cp: 0 };
      case 'c': {
        const letter = p[this.i] ?? '';
        if (!/[A-Za-z]/.test(letter)) this.fail('a bad \\c escape');
        this.i++;
        return { type: 'char', cp: letter.charCodeAt(0) % 32 };
      }
      case 'k':
        return this.fail('a backreference (\\k)');
      default:
        if (e in CONTROL_ESCAPES) return { type: 'char', cp: CONTROL_ESCAPES[e]! };
        if (/[1-9]/.test(e)) this.fail(`a backreference (\\${e})`);
        if (/[0-9A-Za-z]/.test(e)) this.fail(`the escape \\${e}`);
        return { type: 'char', cp };
    }
  }

  /** A bracket class, `i` past the `[`: its v-mode source (compiled later, which validates it). */
  private charClass(): string {
    const p = this.pattern;
    let out = '[';
    let atStart = true;
    for (;;) {
      if (this.i >= p.length) this.fail('an unterminated class');
      const cp = p.codePointAt(this.i)!;
      const ch = String.fromCodePoint(cp);
      const first = atStart;
      atStart = false;
      this.i += ch.length;
      if (ch === '\\') {
        out += this.classEscape();
      } else if (ch === ']' && !first) {
        return `${out}]`;
      } else if (ch === ']') {
        out += '\\]';
      } else if (ch === '[') {
        this.fail('a nested character class');
      } else if (ch === '&' && p[this.i] === '&') {
        this.fail('a class intersection (&&)');
      } else if (ch === '^' && first && out === '[') {
        out += '^';
        atStart = true;
      } else if (this.caseInsensitive > 0 && /\p{L}/u.test(ch)) {
        if (p[this.i] === '-') this.fail('a range in a case-insensitive class');
        out += caseVariants(ch).join('');
      } else if (ch === '-' && !first && p[this.i] !== ']' && this.i < p.length) {
        out += '-'; // a range
      } else {
        out += CLASS_ESCAPE.has(ch) ? `\\${ch}` : ch;
      }
    }
  }

  private classEscape(): string {
    const p = this.pattern;
    const cp = p.codePointAt(this.i);
    if (cp === undefined) this.fail('a trailing backslash');
    const e = String.fromCodePoint(cp);
    this.i += e.length;
    switch (e) {
      case 's':
        return ONIG_SPACE_BODY;
      case 'd':
        return onigProperty('Nd');
      case 'D':
        return `[^${onigProperty('Nd').slice(1)}`;
      case 'w':
        return ONIG_WORD_BODY;
      case 'h':
        return '0-9a-fA-F';
      case 'p':
      case 'P':
        return this.property(e === 'P');
      case 'x':
      case 'u':
        return `\\u{${this.codePointEscape(e).toString(16)}}`;
      case 'S':
      case 'W':
      case 'H':
      case 'A':
      case 'z':
      case 'Z':
        return this.fail(`\\${e} inside a class`);
      default:
        if (/[0-9A-Za-z]/.test(e)) return `\\${e}`; // \n, \t, \b (backspace), ...: JavaScript checks
        return CLASS_ESCAPE.has(e) ? `\\${e}` : e;
    }
  }
}

/**
 * Parses an onig (Ruby syntax) pattern. Constructs that cannot be run exactly (atomic groups,
 * possessive or nested quantifiers, backreferences, nested classes, inline options) throw
 * `UnsupportedPatternError` naming `path`.
 */
export function parseOnigPattern(pattern: string, path: string): RegexNode {
  return new Parser(pattern, path).parse();
}
