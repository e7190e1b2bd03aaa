// The CLI's argument parsing: flags of one command (`--name value`, `--name=value`, `-n value`,
// boolean `--json`) and strict number parsers. Every mistake (an unknown flag, a missing value, a
// stray argument, `1e3` where an integer goes) is one InvalidArgumentError whose
// message starts with the command and names the flag, so the CLI prints one line and exits 2.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';

/** One flag of a command: a string value or a boolean switch, with an optional one-letter alias. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What `parseFlags` returns: strings for string flags, `true` for switches that were given. */
export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'boolean' ? true : string;
};

/** Throws the CLI's usage error: `<command>: <message>`, naming the flag (`argument`). */
export function usageError(command: string, flag: string, message: string): never {
  throw new InvalidArgumentError(`${command}: ${message}`, flag);
}

/** A value that reads as a negative number (`-1`, `-0.5`, `-1e-3`): taken as a value, not a flag. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Levenshtein distance, for "did you mean" (flag names are short). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

function suggestion(name: string, specs: FlagSpecs): string {
  const best = Object.keys(specs)
    .map((known) => ({ known, d: distance(name, known) }))
    .sort((x, y) => x.d - y.d)[0];
  return best !== undefined && best.d <= 2 ? `; did you mean --${best.known}?` : '';
}

/** Shows an argument in a message: quoted, control characters escaped, at most 40 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Parses `argv` against `specs`. No command takes positional arguments.
 * @param command the command for messages (`mamba-webgpu generate`)
 * @throws InvalidArgumentError for an unknown flag, a missing or unexpected value or a stray
 *   argument; an unknown flag's message ends with where to look (`--help`).
 */
export function parseFlags<S extends FlagSpecs>(
  command: string,
  argv: readonly string[],
  specs: S,
): FlagValues<S> {
  const help = `see ${command} --help`;
  const byShort = new Map(
    Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])),
  );
  const values: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(specs, name))
        usageError(command, arg, `unknown option --${name}${suggestion(name, specs)} (${help})`);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (name === undefined) usageError(command, arg, `unknown option ${arg} (${help})`);
    } else {
      const what = arg.startsWith('-') ? 'option' : 'argument';
      usageError(
        command,
        arg,
        `unexpected ${what} ${quote(arg)}: every value follows its --option (${help})`,
      );
    }
    const flag = `--${name}`; // given twice, the last one counts (as node:util parseArgs and getopt)
    if (specs[name]!.type === 'boolean') {
      if (inline !== undefined)
        usageError(command, flag, `${flag} is a switch and takes no value, got ${quote(inline)}`);
      values[name] = true;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !NEGATIVE_NUMBER.test(next))) {
        const hint = next === undefined ? '' : ` (a value that starts with "-" is written ${flag}=${next})`;
        usageError(command, flag, `${flag} needs a value${hint}`);
      }
      inline = next;
      i++;
    }
    values[name] = inline;
  }
  return values as FlagValues<S>;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Range of a numeric flag; `want` is how messages say it (`an integer >= 1`). */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly want: string;
}

function inRange(n: number, rule: NumberRule): boolean {
  if (rule.min !== undefined && (rule.minExclusive ? !(n > rule.min) : !(n >= rule.min))) return false;
  if (rule.max !== undefined && (rule.maxExclusive ? !(n < rule.max) : !(n <= rule.max))) return false;
  return true;
}

/** `text` as a decimal integer (or decimal number) within `rule`, or undefined. */
function parseNumber(text: string, integer: boolean, rule: NumberRule): number | undefined {
  const n = Number(text);
  const ok = integer
    ? INTEGER.test(text) && Number.isSafeInteger(n)
    : DECIMAL.test(text) && Number.isFinite(n);
  return ok && inRange(n, rule) ? n : undefined;
}

/**
 * A decimal integer flag (`64`, `-1` for the range check; not `1.5`, `1e3`, `0x10`, `" "`),
 * `fallback` when not given.
 */
export function integerFlag(
  command: string,
  name: string,
  value: string | undefined,
  fallback: number,
  rule: NumberRule,
): number {
  if (value === undefined) return fallback;
  const n = parseNumber(value, true, rule);
  if (n === undefined)
    usageError(command, `--${name}`, `--${name} must be ${rule.want}, got ${quote(value)}`);
  return n;
}

/** A decimal number flag (`0.8`, `1e-3`; not `0x10`, `Infinity`, `""`), `fallback` when not given. */
export function numberFlag(
  command: string,
  name: string,
  value: string | undefined,
  fallback: number,
  rule: NumberRule,
): number {
  if (value === undefined) return fallback;
  const n = parseNumber(value, false, rule);
  if (n === undefined)
    usageError(command, `--${name}`, `--${name} must be ${rule.want}, got ${quote(value)}`);
  return n;
}

/**
 * A comma-separated list of decimal numbers (`--ids 1,2,3`, `--betas 0.9,0.95`): every item
 * present (no `1,,2`, no trailing comma) and decimal; spaces around an item are allowed.
 */
export function listFlag(
  command: string,
  name: string,
  value: string,
  item: { integer: boolean; rule: NumberRule },
): number[] {
  return value.split(',').map((raw, k) => {
    const text = raw.trim();
    if (text === '') usageError(command, `--${name}`, `--${name} item ${k + 1} is empty in ${quote(value)}`);
    const n = parseNumber(text, item.integer, item.rule);
    if (n === undefined)
      usageError(
        command,
        `--${name}`,
        `--${name} item ${k + 1} must be ${item.rule.want}, got ${quote(text)}`,
      );
    return n;
  });
}

/** A string flag that must not be empty when given (`--model ""`). */
export function nonEmpty(command: string, name: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '')
    usageError(command, `--${name}`, `--${name} must not be empty`);
  return value;
}

/** `--endpoint`: an http(s) URL, checked before any download. */
export function endpointFlag(command: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    usageError(command, '--endpoint', `--endpoint must be an http(s) URL, got ${quote(value)}`);
  return value;
}

/** `--cache-dir`: a non-empty path without NUL characters. */
export function pathFlag(command: string, name: string, value: string | undefined): string | undefined {
  nonEmpty(command, name, value);
  if (value?.includes('\0')) usageError(command, `--${name}`, `--${name} must not contain a NUL character`);
  return value;
}
