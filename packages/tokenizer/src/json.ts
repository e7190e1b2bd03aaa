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
