// JSON hardening for checkpoint files: a cheap nesting-depth scan to run before `JSON.parse`
// (a deep file parses, then overflows the stack in whatever walks it), a strict parser for
// safetensors headers (serde_json's rules, which `JSON.parse` does not enforce), and a bounded
// formatter for values quoted in error messages.

import { findDeepNesting, MAX_JSON_DEPTH } from '@mamba-webgpu/tokenizer';
import { MambaModelError } from './errors.js';

/**
 * Deepest array/object nesting accepted in a checkpoint's JSON files (128, serde_json's recursion
 * limit, so a file nested deeper is one the Rust `safetensors` and `tokenizers` crates refuse too)
 * and the scan that finds it: the tokenizer package's, which tokenizer.json is checked with.
 */
export { findDeepNesting, MAX_JSON_DEPTH } from '@mamba-webgpu/tokenizer';

/** A number written with a fraction or an exponent (`1.0`, `1e3`) where the strict parser found it. */
export class NonIntegerNumber {
  constructor(
    readonly value: number,
    /** The literal as written. */
    readonly literal: string,
  ) {}
}

/** What `parseStrictJson` refused. */
export type StrictJsonProblem = 'syntax' | 'duplicate-key' | 'too-deep';

/** Thrown by `parseStrictJson`; callers rethrow it as their own typed error naming the file. */
export class StrictJsonError extends MambaModelError {
  override name = 'StrictJsonError';
  constructor(
    message: string,
    readonly problem: StrictJsonProblem,
    /** Character offset in the text. */
    readonly offset: number,
    /** The repeated key, for `duplicate-key`. */
    readonly key?: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/** Recursive descent over RFC 8259 JSON; recursion is bounded by `maxDepth`. */
class StrictParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parse(): unknown {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('syntax', 'unexpected characters after the JSON value');
    return value;
  }

  private fail(problem: StrictJsonProblem, what: string, key?: string): never {
    throw new StrictJsonError(`${what} at character ${this.pos}`, problem, this.pos, key);
  }

  private skipWhitespace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private value(depth: number): unknown {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(
      'syntax',
      c === undefined ? 'unexpected end of JSON' : `unexpected ${JSON.stringify(c)}`,
    );
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail('too-deep', `arrays/objects nested deeper than ${this.maxDepth}`);
    this.pos++;
    this.skipWhitespace();
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('syntax', 'expected a string key');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) {
        this.pos = keyAt;
        this.fail('duplicate-key', `duplicate key ${JSON.stringify(key)}`, key);
      }
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('syntax', "expected ':'");
      this.pos++;
      // defineProperty, as JSON.parse does: a "__proto__" key is data, not the prototype.
      Object.defineProperty(out, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (this.closes('}')) return out;
    }
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    const out: unknown[] = [];
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      if (this.closes(']')) return out;
    }
  }

  /** After a member: true at the closing bracket, false after a comma. */
  private closes(bracket: '}' | ']'): boolean {
    this.skipWhitespace();
    const c = this.text[this.pos];
    this.pos++;
    if (c === bracket) return true;
    if (c === ',') return false;
    this.pos--;
    return this.fail('syntax', `expected ',' or '${bracket}'`);
  }

  private string(): string {
    const { text } = this;
    const start = this.pos++;
    let escaped = false;
    for (;;) {
      if (this.pos >= text.length) this.fail('syntax', 'unterminated string');
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('syntax', 'a control character inside a string');
      if (c === 0x5c) {
        escaped = true;
        const e = text[this.pos + 1] ?? '';
        if (e === 'u') {
          if (!HEX4.test(text.slice(this.pos + 2, this.pos + 6))) this.fail('syntax', 'a bad \\u escape');
          this.pos += 6;
        } else if (ESCAPES.has(e)) {
          this.pos += 2;
        } else {
          this.fail('syntax', 'a bad escape');
        }
      } else {
        this.pos++;
      }
    }
    this.pos++;
    const raw = text.slice(start, this.pos);
    // The literal is valid by now; JSON.parse only decodes its escapes.
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private number(): number | NonIntegerNumber {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail('syntax', 'a malformed number');
    this.pos += match[0].length;
    const value = Number(match[0]);
    return match[1] !== undefined || match[2] !== undefined ? new NonIntegerNumber(value, match[0]) : value;
  }
}

/**
 * Parses JSON as serde_json does for the Rust `safetensors` crate: RFC 8259 only (leading and
 * trailing whitespace allowed, no BOM), a repeated key in any object is an error (JSON.parse keeps
 * the last silently), nesting deeper than `maxDepth` is an error, and a number written with a
 * fraction or exponent comes back as a `NonIntegerNumber` so integer fields can refuse `1.0`.
 * Throws `StrictJsonError`.
 */
export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  return new StrictParser(text, maxDepth).parse();
}

/**
 * A short, bounded rendering of a JSON-like value for error messages: never recurses more than a
 * few levels, never prints more than a few items, never throws (deep, huge or cyclic values).
 */
export function describeJson(value: unknown, maxChars = 80): string {
  const out = render(value, 3);
  return out.length > maxChars ? `${out.slice(0, maxChars - 1)}…` : out;
}

function render(value: unknown, depth: number): string {
  if (value instanceof NonIntegerNumber) return value.literal;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value !== 'object') return typeof value;
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  const more = (n: number) => (n > 8 ? ', …' : '');
  if (Array.isArray(value)) {
    return `[${value
      .slice(0, 8)
      .map((v) => render(v, depth - 1))
      .join(', ')}${more(value.length)}]`;
  }
  const keys = Object.keys(value);
  const items = keys
    .slice(0, 8)
    .map((k) => `${JSON.stringify(k)}: ${render((value as Record<string, unknown>)[k], depth - 1)}`);
  return `{${items.join(', ')}${more(keys.length)}}`;
}

/**
 * `JSON.parse` behind the depth scan: a text nested deeper than `maxDepth` throws a
 * `StrictJsonError` (`too-deep`) before parsing, a syntax error throws one (`syntax`) carrying
 * JSON.parse's message. Callers rethrow either as their own typed error naming the file.
 */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const deepAt = findDeepNesting(text, maxDepth);
  if (deepAt !== undefined) {
    throw new StrictJsonError(
      `arrays/objects nested deeper than ${maxDepth} levels at character ${deepAt}`,
      'too-deep',
      deepAt,
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StrictJsonError(String((cause as Error).message), 'syntax', -1);
  }
}

/** The standard message tail for a JSON file nested too deep: names the limit and the fix. */
export function tooDeepMessage(file: string, error: StrictJsonError, needs: string): string {
  return (
    `${file} nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels (at character ${error.offset}); ` +
    `${needs}. The file is corrupt.`
  );
}
