// Training data: token sequences from pre-tokenized ids (`{"input_ids": [[...], ...]}`) or text
// (tokenized with the model's tokenizer and packed into fixed-length sequences), served as
// batches in a seeded order. Pure: no file or GPU access (the CLI reads the file).

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { parseJsonText, StrictJsonError, tooDeepMessage } from '../../loading/json.js';
import { describeJson } from '../../loading/json.js';

/** Equal-length token sequences: `rows` x `seqLen` ids, row-major. */
export interface TokenDataset {
  readonly ids: Int32Array;
  readonly rows: number;
  readonly seqLen: number;
}

function fail(message: string, argument = 'data'): never {
  throw new InvalidArgumentError(`trainingData: ${message}`, argument);
}

/**
 * Parses `{"input_ids": [[...], ...]}`: rows of equal length, integer ids in [0, vocab).
 */
export function parseIdsJson(text: string, vocab: number): TokenDataset {
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    if (error.problem === 'too-deep') fail(tooDeepMessage('the data', error, 'ids data needs 2'));
    fail(`the data is not valid JSON (${error.message}); expected {"input_ids": [[...], ...]}`);
  }
  const rowsValue = (json as { input_ids?: unknown } | null)?.input_ids;
  if (!Array.isArray(rowsValue) || rowsValue.length === 0)
    fail('expected {"input_ids": [[...], ...]} with at least one row');
  const seqLen = Array.isArray(rowsValue[0]) ? rowsValue[0].length : 0;
  if (seqLen < 2) fail(`each row needs at least 2 ids (a token and its successor), got ${seqLen}`);
  const ids = new Int32Array(rowsValue.length * seqLen);
  rowsValue.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row) || row.length !== seqLen) {
      fail(
        `row ${r} has ${Array.isArray(row) ? row.length : 'no'} ids; every row must have ${seqLen} (pack text with --seq-len instead)`,
      );
    }
    row.forEach((id: unknown, t: number) => {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocab) {
        fail(`input_ids[${r}][${t}] = ${describeJson(id)} is not an id in [0, ${vocab})`, 'input_ids');
      }
      ids[r * seqLen + t] = id;
    });
  });
  return { ids, rows: rowsValue.length, seqLen };
}

/**
 * Packs a token stream into rows of `seqLen` (documents joined by `separator`, e.g. EOS, when
 * given); a tail shorter than `seqLen` is dropped.
 */
export function packTokens(
  documents: readonly (readonly number[])[],
  seqLen: number,
  separator?: number,
): TokenDataset {
  if (!Number.isInteger(seqLen) || seqLen < 2)
    fail(`seqLen must be an integer >= 2, got ${seqLen}`, 'seqLen');
  const stream: number[] = [];
  for (const doc of documents) {
    stream.push(...doc);
    if (separator !== undefined) stream.push(separator);
  }
  const rows = Math.floor(stream.length / seqLen);
  if (rows === 0) fail(`the text gives ${stream.length} tokens, fewer than one sequence of ${seqLen}`);
  return { ids: Int32Array.from(stream.slice(0, rows * seqLen)), rows, seqLen };
}

/** A seeded permutation of 0..n-1 (Fisher-Yates with mulberry32). */
export function seededPermutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let state = (seed >>> 0) ^ 0x85ebca6b;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/**
 * The rows of batch `step` (0-based): epochs of a seeded permutation (`shuffle`), or the rows in
 * order; `batchSize` defaults to every row (each step trains on the whole dataset).
 */
export function batchAt(
  data: TokenDataset,
  step: number,
  options: { batchSize?: number; seed?: number; shuffle?: boolean } = {},
): Int32Array {
  const batchSize = options.batchSize ?? data.rows;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > data.rows) {
    fail(
      `batchSize must be an integer in [1, ${data.rows}] (the dataset's rows), got ${batchSize}`,
      'batchSize',
    );
  }
  const perEpoch = Math.floor(data.rows / batchSize);
  const epoch = Math.floor(step / perEpoch);
  const order = options.shuffle
    ? seededPermutation(data.rows, (options.seed ?? 0) + epoch * 7919)
    : undefined;
  const out = new Int32Array(batchSize * data.seqLen);
  const first = (step % perEpoch) * batchSize;
  for (let i = 0; i < batchSize; i++) {
    const row = order ? order[first + i]! : first + i;
    out.set(data.ids.subarray(row * data.seqLen, (row + 1) * data.seqLen), i * data.seqLen);
  }
  return out;
}
