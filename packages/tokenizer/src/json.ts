// Typed readers for the untyped tokenizer.json tree: each checks one value and throws a
// `TokenizerConfigError` naming the JSON path, so loading never fails with a bare TypeError.
import { TokenizerConfigError } from './errors';

/** A JSON object as read from tokenizer.json. */
export type JsonObject = Record<string, unknown>;

const where = 'Tokenizer.fromJSON';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Fails with the standard message: `<path> must be <expected>, got <value>`. */
export function fail(path: string, expected: string, value: unknown): never {
  throw new TokenizerConfigError(`${where}: ${path} must be ${expected}, got ${describe(value)}`, path);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, 'an object', value);
  return value;
}

export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

export function readBoolean(value: unknown, path: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, 'a boolean', value);
  return value;
}

/** An integer in [min, max]; `fallback` is used when the field is absent or null. */
export function readInteger(
  value: unknown,
  path: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** A string or null/absent (returned as undefined). */
export function readOptionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return readString(value, path);
}

/** The `type` field of a component object. */
export function readType(obj: JsonObject, path: string): string {
  return readString(obj.type, `${path}.type`);
}

/** Largest token id accepted (ids are u32 in `tokenizers`; we keep them in int32 arrays). */
export const MAX_TOKEN_ID = 0x7fff_fffe;

/**
 * Deepest array/object nesting accepted in a tokenizer.json text: 128, serde_json's recursion
 * limit, so `tokenizers` (Rust) refuses any file we refuse. Checked before `JSON.parse`: a deeper
 * text parses, then overflows the stack in whatever walks it.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Deepest nesting of `Sequence` components (normalizers, pre-tokenizers, post-processors,
 * decoders): each level takes two JSON levels (the object and its list), under the root object and
 * over the innermost component, so no tokenizer.json within `MAX_JSON_DEPTH` goes deeper
 * (1 + 2 * 63 + 1 = 128); this bounds the recursion for already-parsed objects too.
 */
export const MAX_SEQUENCE_DEPTH = 63;

/**
 * Where `text` first nests arrays/objects deeper than `maxDepth` (the offset of the bracket), or
 * undefined. Strings are skipped; the text need not be valid JSON. One pass, no allocation.
 * Exported: mamba-model runs the same scan on config.json and the checkpoint index.
 */
export function findDeepNesting(text: string, maxDepth = MAX_JSON_DEPTH): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/** Throws when a `Sequence` component at `path` sits `depth` Sequences deep, past the limit. */
export function checkSequenceDepth(depth: number, path: string): void {
  if (depth < MAX_SEQUENCE_DEPTH) return;
  const shown = path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-60)}` : path;
  throw new TokenizerConfigError(
    `${where}: Sequence components must nest at most ${MAX_SEQUENCE_DEPTH} deep, got deeper at ${shown}. ` +
      'The tokenizer.json is corrupt or hostile.',
    path,
  );
}
