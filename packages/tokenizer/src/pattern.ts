// Oniguruma regular expressions (what Rust `tokenizers` compiles Split/Replace patterns with)
// translated to JavaScript v-mode RegExps, plus onig's match iteration and the split events
// (`(start, end, isMatch)`) that `NormalizedString::split` consumes.
import { UnsupportedPatternError } from './errors';
import { ONIG_SPACE_BODY } from './unicode';
import {
  ONIG_EXTRA_LETTER_CLASS,
  ONIG_EXTRA_NUMBER_CLASS,
  ONIG_NOT_LETTER_CLASS,
  ONIG_NOT_NUMBER_CLASS,
} from './unicode-legacy';

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
const WORD_BODY = `${onigProperty('L')}${onigProperty('M')}${onigProperty('Nd')}${onigProperty('Pc')}`;
// Characters a v-mode class only takes escaped (syntax characters and reserved punctuators).
const CLASS_ESCAPE = new Set('^$\\.*+?()[]{}|/&-!#%,:;<=>@`~'.split(''));
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/'.split(''));

/** Escapes `text` so that it matches itself literally in a u- or v-mode RegExp (outside a class). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => (c === '-' ? '\\x2d' : `\\${c}`));
}

function unsupported(pattern: string, path: string, what: string): never {
  throw new UnsupportedPatternError(
    `Tokenizer.fromJSON: ${path} must be a regex JavaScript can run exactly, got ${what} in ${JSON.stringify(pattern)}`,
    path,
  );
}

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

function unicodeProperty(name: string, pattern: string, path: string): string {
  for (const candidate of [name, `Script=${name}`]) {
    try {
      new RegExp(`\\p{${candidate}}`, 'u');
      return candidate;
    } catch {
      // try the next spelling
    }
  }
  return unsupported(pattern, path, `the unknown property \\p{${name}}`);
}

/**
 * Translates an Oniguruma (Ruby syntax) pattern to a JavaScript v-mode RegExp source with the
 * same meaning: `\s`, `\d`, `\w`, `.`, `^`, `$` get onig's Unicode semantics, `\p{L}`/`\p{N}`
 * leave out code points newer than onig's tables and `(?i:...)` is expanded to character classes. Constructs JavaScript lacks (atomic groups, possessive
 * quantifiers, nested classes) throw `UnsupportedPatternError`.
 */
export function translateOnigPattern(pattern: string, path: string): string {
  let out = '';
  let i = 0;
  let inClass = false;
  let classStart = false;
  const groups: boolean[] = [];
  let caseInsensitive = 0;
  let afterQuantifier = false;
  const n = pattern.length;
  while (i < n) {
    const cp = pattern.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const wasQuantifier: boolean = afterQuantifier;
    afterQuantifier = false;
    const atClassStart = classStart;
    classStart = false;
    if (ch === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) unsupported(pattern, path, 'a trailing backslash');
      i += 2;
      switch (e) {
        case 's':
          out += inClass ? ONIG_SPACE_BODY : `[${ONIG_SPACE_BODY}]`;
          break;
        case 'S':
          if (inClass) unsupported(pattern, path, '\\S inside a class');
          out += `[^${ONIG_SPACE_BODY}]`;
          break;
        case 'd':
          out += onigProperty('Nd');
          break;
        case 'D':
          out += `[^${onigProperty('Nd').slice(1)}`;
          break;
        case 'w':
          out += inClass ? WORD_BODY : `[${WORD_BODY}]`;
          break;
        case 'W':
          if (inClass) unsupported(pattern, path, '\\W inside a class');
          out += `[^${WORD_BODY}]`;
          break;
        case 'h':
          out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
          break;
        case 'H':
          if (inClass) unsupported(pattern, path, '\\H inside a class');
          out += '[^0-9a-fA-F]';
          break;
        case 'p':
        case 'P': {
          const close = pattern.indexOf('}', i);
          if (pattern[i] !== '{' || close < 0) unsupported(pattern, path, `\\${e} without {name}`);
          let name = pattern.slice(i + 1, close);
          let negated = e === 'P';
          if (name.startsWith('^')) {
            negated = !negated;
            name = name.slice(1);
          }
          const onigClass = onigProperty(unicodeProperty(name, pattern, path));
          if (!onigClass.startsWith('[')) out += negated ? onigClass.replace('\\p', '\\P') : onigClass;
          else out += negated ? `[^${onigClass.slice(1)}` : onigClass;
          i = close + 1;
          break;
        }
        case 'A':
          out += '^';
          break;
        case 'z':
          out += '$';
          break;
        case 'Z':
          out += '(?=\\n?$)';
          break;
        case 'x': {
          if (pattern[i] === '{') {
            const close = pattern.indexOf('}', i);
            if (close < 0) unsupported(pattern, path, 'an unterminated \\x{');
            out += `\\u{${pattern.slice(i + 1, close)}}`;
            i = close + 1;
          } else {
            out += '\\x';
          }
          break;
        }
        default:
          if (/[0-9A-Za-z]/.test(e)) out += `\\${e}`;
          else if (SYNTAX_CHARS.has(e) || (inClass && CLASS_ESCAPE.has(e))) out += `\\${e}`;
          else out += e;
      }
      continue;
    }
    i += ch.length;
    if (inClass) {
      if (ch === ']' && !atClassStart) {
        inClass = false;
        out += ']';
      } else if (ch === ']') {
        out += '\\]';
      } else if (ch === '[') {
        unsupported(pattern, path, 'a nested character class');
      } else if (ch === '^' && atClassStart && out.endsWith('[')) {
        out += '^';
        classStart = true;
      } else if (caseInsensitive > 0 && /\p{L}/u.test(ch)) {
        if (pattern[i] === '-') unsupported(pattern, path, 'a range in a case-insensitive class');
        out += caseVariants(ch).join('');
      } else if (ch === '-' && !atClassStart && pattern[i] !== ']' && i < n) {
        out += '-'; // a range
      } else {
        out += CLASS_ESCAPE.has(ch) ? `\\${ch}` : ch;
      }
      continue;
    }
    switch (ch) {
      case '[':
        inClass = true;
        classStart = true;
        out += '[';
        break;
      case '(':
        if (pattern[i] === '?') {
          const rest = pattern.slice(i + 1);
          if (rest.startsWith('i:')) {
            groups.push(true);
            caseInsensitive++;
            out += '(?:';
            i += 3;
          } else if (/^(:|=|!|<=|<!|<[A-Za-z])/.test(rest)) {
            groups.push(false);
            out += '(?';
            i += 1;
          } else {
            unsupported(pattern, path, `the group (?${rest.slice(0, 2)}`);
          }
        } else {
          groups.push(false);
          out += '(';
        }
        break;
      case ')': {
        const ci = groups.pop();
        if (ci === undefined) unsupported(pattern, path, 'an unbalanced )');
        if (ci) caseInsensitive--;
        out += ')';
        afterQuantifier = false;
        break;
      }
      case '.':
        out += '[^\\n]';
        break;
      case '^':
        out += '(?<=^|\\n)';
        break;
      case '$':
        out += '(?=\\n|$)';
        break;
      case '*':
      case '+':
      case '?':
        if (wasQuantifier && ch === '+') unsupported(pattern, path, 'a possessive quantifier');
        out += ch;
        afterQuantifier = ch !== '?' || !wasQuantifier;
        break;
      case '{': {
        const m = /^\{(\d*)(,(\d*))?\}/.exec(pattern.slice(i - 1));
        if (m && (m[1] !== '' || (m[3] !== undefined && m[3] !== ''))) {
          out += `{${m[1] === '' ? '0' : m[1]}${m[2] ?? ''}}`;
          i += m[0].length - 1;
          afterQuantifier = true;
        } else {
          out += '\\{';
        }
        break;
      }
      case '}':
        out += '\\}';
        break;
      default:
        if (caseInsensitive > 0 && /\p{L}/u.test(ch)) {
          const variants = caseVariants(ch);
          out += variants.length > 1 ? `[${variants.join('')}]` : ch;
        } else {
          out += ch;
        }
    }
  }
  if (inClass) unsupported(pattern, path, 'an unterminated class');
  if (groups.length > 0) unsupported(pattern, path, 'an unterminated group');
  return out;
}

/** Compiles a translated pattern (flags `gv`), turning engine syntax errors into typed errors. */
export function compilePattern(source: string, original: string, path: string): RegExp {
  try {
    return new RegExp(source, 'gv');
  } catch (error) {
    return unsupported(original, path, `a pattern JavaScript rejects (${(error as Error).message})`);
  }
}

/**
 * Split events of `text` by `regex` (global): `[start, end, isMatch]` triples flattened into one
 * array, covering the whole text, with onig's iteration rule (an empty match right after the
 * previous match is skipped). An empty text gives one empty non-match, as in `tokenizers`.
 */
export function findMatches(regex: RegExp, text: string): number[] {
  const events: number[] = [];
  if (text.length === 0) {
    events.push(0, 0, 0);
    return events;
  }
  let prev = 0;
  let lastMatchEnd = -1;
  regex.lastIndex = 0;
  while (regex.lastIndex <= text.length) {
    const m = regex.exec(text);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start === end) {
      if (end === lastMatchEnd) {
        // Advance one code point and search again (onig's FindMatches does the same).
        const c = text.codePointAt(end);
        regex.lastIndex = end + (c !== undefined && c > 0xffff ? 2 : 1);
        continue;
      }
      regex.lastIndex = end; // stays: the next exec will hit the rule above
    }
    if (prev !== start) events.push(prev, start, 0);
    events.push(start, end, 1);
    prev = end;
    lastMatchEnd = end;
  }
  if (prev !== text.length) events.push(prev, text.length, 0);
  return events;
}
