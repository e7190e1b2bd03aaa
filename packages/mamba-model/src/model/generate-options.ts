// Validation of what `MambaModel.forward`/`generate`/`stream` take, on the CPU before any GPU work:
// prompt ids (rows of integer ids in the vocabulary) and every generation option. Each failure is
// an InvalidArgumentError whose message names the caller, the field, what was expected and what came.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describeJson } from '../loading/json.js';
import { type ResolvedSampling, resolveSampling, type SamplingOptions } from '../sampling/options.js';

export interface GenerateOptions extends SamplingOptions {
  /** New tokens to generate per row (>= 1). */
  maxTokens: number;
  /** Extra ids that end a row (the stop id is kept in the output). */
  stopIds?: readonly number[];
  /** Stop at the config's EOS id (default true). */
  eos?: boolean;
  /** Abort generation; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Largest number of steps read back at once: an integer >= 1 (default 32, values above 64 read
   * 64; chunks grow 1, 2, 4 ... to it). The GPU runs one chunk ahead of the reads, so up to twice
   * this many steps may be computed past a stop and discarded.
   */
  lookahead?: number;
}

/** Generation options checked and filled with defaults. */
export interface ResolvedGenerate {
  readonly maxTokens: number;
  readonly sampling: ResolvedSampling;
  /** Ids that end a row: `stopIds` plus the EOS id unless `eos: false`. */
  readonly stop: ReadonlySet<number>;
  /** Steps read back at once, at most: `lookahead` clamped to [1, 64]. */
  readonly maxChunk: number;
  readonly signal: AbortSignal | undefined;
}

/** Validated prompt ids: (batch, seqLen) flattened when the rows are of equal length. */
export interface CheckedIds {
  readonly batch: number;
  readonly seqLen: number;
  /** Row-major ids, (batch, seqLen); empty when ragged. */
  readonly flat: Int32Array;
  readonly ragged: boolean;
}

/** A value's kind for messages: `a string "abc"`, `the number 5`, `undefined`, `an object`. */
function kindOf(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `a string ${describeJson(value, 40)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  if (Array.isArray(value)) return `an array ${describeJson(value, 40)}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'object' ? `an object ${describeJson(value, 40)}` : `a ${typeof value}`;
}

function invalid(caller: string, argument: string, message: string): never {
  throw new InvalidArgumentError(`${caller}: ${message}`, argument);
}

const ENCODE_HINT = 'encode text first with model.tokenizer.encode(text)';

/**
 * Checks `stream`'s one prompt: token ids (number[]), not text and not a batch of rows.
 * @param caller the public function for messages (`MambaModel.stream`)
 */
export function checkPromptRow(caller: string, prompt: unknown): readonly number[] {
  if (typeof prompt === 'string') {
    invalid(caller, 'prompt', `prompt must be token ids (number[]), got ${kindOf(prompt)}; ${ENCODE_HINT}`);
  }
  if (!Array.isArray(prompt))
    invalid(caller, 'prompt', `prompt must be token ids (number[]), got ${kindOf(prompt)}`);
  if (prompt.some(Array.isArray)) {
    invalid(
      caller,
      'prompt',
      'prompt must be one row of token ids (number[]), got rows; use generate for a batch',
    );
  }
  return prompt as number[];
}

/**
 * Validates ids: a non-empty array of non-empty rows of integer ids in [0, vocabSize), of equal
 * length unless `allowRagged`.
 * @param caller the public function for messages
 */
export function checkIds(caller: string, ids: unknown, vocabSize: number, allowRagged = false): CheckedIds {
  if (typeof ids === 'string') {
    invalid(
      caller,
      'ids',
      `ids must be rows of token ids (number[][]), got ${kindOf(ids)}; ${ENCODE_HINT} and pass [ids]`,
    );
  }
  if (!Array.isArray(ids) || ids.length === 0) {
    invalid(
      caller,
      'ids',
      `ids must be a non-empty array of rows of token ids (number[][]), got ${kindOf(ids)}`,
    );
  }
  const rows = ids as unknown[];
  const where = (r: number) => (rows.length > 1 ? ` of row ${r}` : '');
  rows.forEach((row, r) => {
    if (typeof row === 'number') {
      invalid(caller, 'ids', `ids must be rows of token ids (number[][]), got a flat number[]; pass [ids]`);
    }
    if (!Array.isArray(row)) {
      invalid(
        caller,
        'ids',
        `row ${r} must be token ids (number[]), got ${kindOf(row)}${typeof row === 'string' ? `; ${ENCODE_HINT}` : ''}`,
      );
    }
    if (row.length === 0)
      invalid(caller, 'ids', `the prompt${where(r)} is empty; give at least one token id`);
  });
  const checked = rows as unknown[][];
  const seqLen = checked[0]!.length;
  const ragged = checked.some((row) => row.length !== seqLen);
  const flat = new Int32Array(ragged ? 0 : checked.length * seqLen);
  checked.forEach((row, r) => {
    if (row.length !== seqLen && !allowRagged) {
      invalid(
        caller,
        'ids',
        `every row must have the same length (${seqLen}); row ${r} has ${row.length} (the logits are one (batch, seqLen, vocab) tensor: run unequal rows separately)`,
      );
    }
    row.forEach((id, t) => {
      if (typeof id !== 'number' || !Number.isInteger(id)) {
        invalid(caller, 'ids', `ids[${r}][${t}] must be an integer token id, got ${kindOf(id)}`);
      }
      if (id < 0 || id >= vocabSize) {
        invalid(caller, 'ids', `ids[${r}][${t}] = ${id} is outside the vocabulary [0, ${vocabSize})`);
      }
      if (!ragged) flat[r * seqLen + t] = id;
    });
  });
  return { batch: checked.length, seqLen, flat, ragged };
}

/** The stop ids: a list (or Set) of integer ids in the vocabulary. */
function checkStopIds(caller: string, stopIds: unknown, vocabSize: number): number[] {
  if (stopIds === undefined) return [];
  const isList = Array.isArray(stopIds) || stopIds instanceof Set;
  if (!isList) {
    const hint = typeof stopIds === 'number' ? `; write [${stopIds}]` : '';
    invalid(
      caller,
      'stopIds',
      `stopIds must be a list of token ids (number[]), got ${kindOf(stopIds)}${hint}`,
    );
  }
  const ids = [...(stopIds as Iterable<unknown>)];
  ids.forEach((id, k) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      invalid(caller, 'stopIds', `stopIds[${k}] must be a token id in [0, ${vocabSize}), got ${kindOf(id)}`);
    }
  });
  return ids as number[];
}

function checkSignal(caller: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const s = signal as Partial<AbortSignal> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.aborted !== 'boolean' ||
    typeof s.throwIfAborted !== 'function'
  ) {
    invalid(
      caller,
      'signal',
      `signal must be an AbortSignal (new AbortController().signal), got ${kindOf(signal)}`,
    );
  }
  return signal as AbortSignal;
}

/**
 * Checks generation options and fills defaults. `signal` is checked for shape only; the caller
 * throws its reason when already aborted.
 * @param caller the public function for messages (`MambaModel.generate`)
 */
export function resolveGenerateOptions(
  caller: string,
  options: unknown,
  config: { readonly vocabSize: number; readonly eosTokenId: number | undefined },
): ResolvedGenerate {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    invalid(caller, 'options', `options must be an object { maxTokens, ... }, got ${kindOf(options)}`);
  }
  const o = options as Partial<GenerateOptions>;
  const { maxTokens, lookahead, eos } = o;
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens < 1) {
    invalid(caller, 'maxTokens', `maxTokens must be an integer >= 1, got ${kindOf(maxTokens)}`);
  }
  if (
    lookahead !== undefined &&
    (typeof lookahead !== 'number' || !Number.isSafeInteger(lookahead) || lookahead < 1)
  ) {
    invalid(
      caller,
      'lookahead',
      `lookahead must be an integer >= 1 (steps read back at once; default 32), got ${kindOf(lookahead)}`,
    );
  }
  if (eos !== undefined && typeof eos !== 'boolean') {
    invalid(caller, 'eos', `eos must be true or false, got ${kindOf(eos)}`);
  }
  const sampling = resolveSampling(caller, o);
  const stop = new Set(checkStopIds(caller, o.stopIds, config.vocabSize));
  if ((eos ?? true) && config.eosTokenId !== undefined) stop.add(config.eosTokenId);
  return {
    maxTokens,
    sampling,
    stop,
    maxChunk: Math.min(64, lookahead ?? 32),
    signal: checkSignal(caller, o.signal),
  };
}
