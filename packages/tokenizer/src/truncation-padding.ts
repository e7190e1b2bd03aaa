// Truncation and padding as set in tokenizer.json (`truncation`, `padding`), applied the way
// Rust `tokenizers` does: truncate the sequences before the post-processor (leaving room for its
// special tokens), pad the final ids (to a fixed length or the longest of a batch).
import { TokenizerError } from './errors';
import { fail, readInteger, readObject, readOptionalString, readString, MAX_TOKEN_ID } from './json';

/** `truncation` of tokenizer.json. */
export interface TruncationParams {
  maxLength: number;
  strategy: 'LongestFirst' | 'OnlyFirst' | 'OnlySecond';
  direction: 'Right' | 'Left';
}

/** `padding` of tokenizer.json. */
export interface PaddingParams {
  /** A fixed length, or undefined for `BatchLongest`. */
  fixed: number | undefined;
  direction: 'Right' | 'Left';
  padToMultipleOf: number | undefined;
  padId: number;
}

function readDirection(value: unknown, path: string): 'Right' | 'Left' {
  const direction = value ?? 'Right';
  if (direction !== 'Right' && direction !== 'Left') fail(path, '"Right" or "Left"', direction);
  return direction;
}

/** Reads `truncation` (null: none). */
export function truncationFromJSON(value: unknown, path = 'truncation'): TruncationParams | undefined {
  if (value === null || value === undefined) return undefined;
  const obj = readObject(value, path);
  const strategy = readString(obj.strategy ?? 'LongestFirst', `${path}.strategy`);
  if (strategy !== 'LongestFirst' && strategy !== 'OnlyFirst' && strategy !== 'OnlySecond') {
    fail(`${path}.strategy`, 'one of LongestFirst, OnlyFirst, OnlySecond', strategy);
  }
  return {
    maxLength: readInteger(obj.max_length, `${path}.max_length`, 0, 2 ** 31),
    strategy,
    direction: readDirection(obj.direction, `${path}.direction`),
  };
}

/** Reads `padding` (null: none). */
export function paddingFromJSON(value: unknown, path = 'padding'): PaddingParams | undefined {
  if (value === null || value === undefined) return undefined;
  const obj = readObject(value, path);
  let fixed: number | undefined;
  const strategy = obj.strategy ?? 'BatchLongest';
  if (strategy !== 'BatchLongest') {
    fixed = readInteger(readObject(strategy, `${path}.strategy`).Fixed, `${path}.strategy.Fixed`, 0, 2 ** 31);
  }
  readOptionalString(obj.pad_token, `${path}.pad_token`);
  const multiple = obj.pad_to_multiple_of;
  return {
    fixed,
    direction: readDirection(obj.direction, `${path}.direction`),
    padToMultipleOf:
      multiple === null || multiple === undefined
        ? undefined
        : readInteger(multiple, `${path}.pad_to_multiple_of`, 0, 2 ** 31),
    padId: readInteger(obj.pad_id ?? 0, `${path}.pad_id`, 0, MAX_TOKEN_ID),
  };
}

function cut(ids: number[], length: number, direction: 'Right' | 'Left'): number[] {
  if (ids.length <= length) return ids;
  return direction === 'Right' ? ids.slice(0, length) : ids.slice(ids.length - length);
}

/** Truncates [A] or [A, B] to `maxLength` ids in all (`truncate_encodings`). */
export function truncate(sequences: number[][], params: TruncationParams, maxLength: number): number[][] {
  const [a = [], b] = sequences;
  const { direction } = params;
  if (maxLength === 0) return sequences.map(() => []);
  const total = a.length + (b?.length ?? 0);
  if (total <= maxLength) return sequences;
  const toRemove = total - maxLength;
  if (params.strategy === 'LongestFirst') {
    if (b === undefined) return [cut(a, total - toRemove, direction)];
    let n1 = a.length;
    let n2 = b.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    return [cut(a, n1, direction), cut(b, n2, direction)];
  }
  const index = params.strategy === 'OnlyFirst' ? 0 : 1;
  const target = sequences[index];
  if (target === undefined) {
    throw new TokenizerError(
      'Tokenizer.encode: truncation strategy OnlySecond needs a pair, got one sequence',
    );
  }
  if (target.length <= toRemove) {
    throw new TokenizerError(
      `Tokenizer.encode: the ${params.strategy === 'OnlyFirst' ? 'first' : 'second'} sequence must be longer than the ${toRemove} ids to remove, got ${target.length}`,
    );
  }
  const out = [...sequences];
  out[index] = cut(target, target.length - toRemove, direction);
  return out;
}

/** Pads each id list of a batch in place (`pad_encodings`). */
export function pad(batch: number[][], params: PaddingParams): void {
  if (batch.length === 0) return;
  let length = params.fixed ?? Math.max(...batch.map((ids) => ids.length));
  const multiple = params.padToMultipleOf;
  if (multiple !== undefined && multiple > 0 && length % multiple > 0)
    length += multiple - (length % multiple);
  for (const ids of batch) {
    if (ids.length >= length) continue;
    const padding = new Array<number>(length - ids.length).fill(params.padId);
    if (params.direction === 'Right') ids.push(...padding);
    else ids.unshift(...padding);
  }
}
