// Validation of OpenAI request bodies, before any GPU work: every field's type and range, prompts
// (text through the tokenizer, or token ids checked against the vocabulary) and chat messages.
// Each failure is an InvalidRequestError naming the wire field.

import type { ResolvedSampling } from '../sampling/options.js';
import { InvalidRequestError } from './errors.js';
import type { ChatMessage } from './types.js';
import { describeJson } from '../loading/json.js';

export interface RequestLimits {
  vocabSize: number;
  /** Largest max_tokens accepted. */
  maxTokens: number;
  /** Largest prompt, in tokens. */
  maxPromptTokens: number;
  /** Largest number of rows one request may take (prompts x n). */
  maxRows: number;
}

export interface ParsedSampling {
  maxTokens: number;
  sampling: ResolvedSampling;
  stop: string[];
  stream: boolean;
  n: number;
  returnTokenIds: boolean;
  ignoreEos: boolean;
}

const MAX_STOP_STRINGS = 16;

type Body = Record<string, unknown>;

/** Checks that `body` is a JSON object; returns it typed loosely. */
export function requestBody(caller: string, body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError(`${caller}: the request body must be an object`, 'body');
  }
  return body as Body;
}

function present(body: Body, field: string): boolean {
  return body[field] !== undefined && body[field] !== null;
}

function numberField(
  caller: string,
  body: Body,
  field: string,
  fallback: number,
  rule: { integer?: boolean; min?: number; max?: number; minExclusive?: boolean; want: string },
): number {
  if (!present(body, field)) return fallback;
  const value = body[field];
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    throw new InvalidRequestError(
      `${caller}: ${field} must be ${rule.want}, got ${describeJson(value)}`,
      field,
    );
  }
  return value as number;
}

function booleanField(caller: string, body: Body, field: string): boolean {
  if (!present(body, field)) return false;
  if (typeof body[field] !== 'boolean') {
    throw new InvalidRequestError(
      `${caller}: ${field} must be a boolean, got ${describeJson(body[field])}`,
      field,
    );
  }
  return body[field] as boolean;
}

/** Length, sampling, stop and streaming fields; `random` supplies the seed when none is given. */
export function parseSampling(
  caller: string,
  body: Body,
  limits: RequestLimits,
  defaultMaxTokens: number,
  random: () => number = Math.random,
): ParsedSampling {
  if (present(body, 'model') && typeof body.model !== 'string') {
    throw new InvalidRequestError(
      `${caller}: model must be a string, got ${describeJson(body.model)}`,
      'model',
    );
  }
  for (const unsupported of [
    'logprobs',
    'top_logprobs',
    'echo',
    'suffix',
    'best_of',
    'tools',
    'logit_bias',
  ]) {
    const value = body[unsupported];
    if (value !== undefined && value !== null && value !== false && value !== 1) {
      throw new InvalidRequestError(`${caller}: ${unsupported} is not supported`, unsupported);
    }
  }
  for (const penalty of ['presence_penalty', 'frequency_penalty']) {
    if (present(body, penalty) && body[penalty] !== 0) {
      throw new InvalidRequestError(
        `${caller}: ${penalty} is not supported (only 0); use repetition_penalty`,
        penalty,
      );
    }
  }
  const lengthField = present(body, 'max_completion_tokens') ? 'max_completion_tokens' : 'max_tokens';
  const maxTokens = numberField(caller, body, lengthField, Math.min(defaultMaxTokens, limits.maxTokens), {
    integer: true,
    min: 1,
    max: limits.maxTokens,
    want: `an integer in [1, ${limits.maxTokens}]`,
  });
  const topK = numberField(caller, body, 'top_k', 0, {
    integer: true,
    min: -1,
    want: 'an integer >= -1 (0 or -1 = off)',
  });
  const sampling: ResolvedSampling = {
    temperature: numberField(caller, body, 'temperature', 1, {
      min: 0,
      max: 2,
      want: 'a number in [0, 2] (0 = greedy)',
    }),
    topP: numberField(caller, body, 'top_p', 1, {
      min: 0,
      minExclusive: true,
      max: 1,
      want: 'a number in (0, 1]',
    }),
    topK: Math.max(0, topK),
    minP: numberField(caller, body, 'min_p', 0, { min: 0, max: 0.999999, want: 'a number in [0, 1)' }),
    repetitionPenalty: numberField(caller, body, 'repetition_penalty', 1, {
      min: 0,
      minExclusive: true,
      max: 100,
      want: 'a number in (0, 100] (1 = off)',
    }),
    seed: numberField(caller, body, 'seed', Math.floor(random() * 2 ** 32), {
      integer: true,
      min: 0,
      max: 2 ** 32 - 1,
      want: 'an integer in [0, 2^32)',
    }),
  };
  const n = numberField(caller, body, 'n', 1, {
    integer: true,
    min: 1,
    max: limits.maxRows,
    want: `an integer in [1, ${limits.maxRows}]`,
  });
  const streamOptions = body.stream_options;
  if (
    streamOptions !== undefined &&
    streamOptions !== null &&
    (typeof streamOptions !== 'object' || Array.isArray(streamOptions))
  ) {
    throw new InvalidRequestError(`${caller}: stream_options must be an object`, 'stream_options');
  }
  return {
    maxTokens,
    sampling,
    stop: parseStop(caller, body.stop),
    stream: booleanField(caller, body, 'stream'),
    n,
    returnTokenIds: booleanField(caller, body, 'return_token_ids'),
    ignoreEos: booleanField(caller, body, 'ignore_eos'),
  };
}

function parseStop(caller: string, stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (
    !Array.isArray(list) ||
    list.length > MAX_STOP_STRINGS ||
    list.some((s) => typeof s !== 'string' || s.length === 0)
  ) {
    throw new InvalidRequestError(
      `${caller}: stop must be a non-empty string or a list of at most ${MAX_STOP_STRINGS} non-empty strings, got ${describeJson(stop)}`,
      'stop',
    );
  }
  return list as string[];
}

/**
 * The prompts of a completions request as token ids: a string, a list of strings, a list of ids
 * or a list of id lists. Text needs `encode` (the model's tokenizer).
 */
export function parsePrompts(
  caller: string,
  prompt: unknown,
  limits: RequestLimits,
  encode: ((text: string) => number[]) | undefined,
): number[][] {
  const isIds = (v: unknown): v is unknown[] =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
  let items: unknown[];
  if (typeof prompt === 'string' || isIds(prompt)) items = [prompt];
  else if (Array.isArray(prompt) && prompt.length > 0) items = prompt;
  else {
    throw new InvalidRequestError(
      `${caller}: prompt must be a non-empty string, a list of strings, a list of token ids or a list of such lists, got ${describeJson(prompt)}`,
      'prompt',
    );
  }
  return items.map((item, i) => {
    const field = items.length > 1 ? `prompt[${i}]` : 'prompt';
    let ids: unknown[];
    if (typeof item === 'string') {
      if (item.length === 0) throw new InvalidRequestError(`${caller}: ${field} is empty`, field);
      if (!encode) {
        throw new InvalidRequestError(
          `${caller}: ${field} is text but the model has no tokenizer (tokenizer.json); give token ids`,
          field,
        );
      }
      ids = encode(item);
      if (ids.length === 0) throw new InvalidRequestError(`${caller}: ${field} encodes to no tokens`, field);
    } else if (Array.isArray(item) && item.length > 0) {
      ids = item;
    } else {
      throw new InvalidRequestError(
        `${caller}: ${field} must be a non-empty string or list of token ids`,
        field,
      );
    }
    return checkIds(caller, field, ids, limits);
  });
}

/** Token ids: integers in [0, vocabSize), at most maxPromptTokens of them. */
export function checkIds(
  caller: string,
  field: string,
  ids: readonly unknown[],
  limits: RequestLimits,
): number[] {
  if (ids.length > limits.maxPromptTokens) {
    throw new InvalidRequestError(
      `${caller}: ${field} has ${ids.length} tokens, more than the limit of ${limits.maxPromptTokens}`,
      field,
    );
  }
  ids.forEach((id, t) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= limits.vocabSize) {
      throw new InvalidRequestError(
        `${caller}: ${field}[${t}] = ${describeJson(id)} is not a token id in [0, ${limits.vocabSize})`,
        field,
      );
    }
  });
  return ids as number[];
}

/** Chat messages: a non-empty list of { role: string, content: string | text parts | null }. */
export function parseMessages(caller: string, messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidRequestError(`${caller}: messages must be a non-empty list of messages`, 'messages');
  }
  return messages.map((m, i) => {
    const field = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw new InvalidRequestError(`${caller}: ${field} must be an object { role, content }`, field);
    }
    const { role, content, name } = m as Record<string, unknown>;
    if (typeof role !== 'string' || role.length === 0) {
      throw new InvalidRequestError(`${caller}: ${field}.role must be a non-empty string`, `${field}.role`);
    }
    let text: string;
    if (typeof content === 'string') text = content;
    else if (content === null || content === undefined) text = '';
    else if (
      Array.isArray(content) &&
      content.every(
        (p) => typeof p === 'object' && p !== null && p.type === 'text' && typeof p.text === 'string',
      )
    ) {
      text = content.map((p: { text: string }) => p.text).join('');
    } else {
      throw new InvalidRequestError(
        `${caller}: ${field}.content must be a string or a list of { type: 'text', text } parts`,
        `${field}.content`,
      );
    }
    return { role, content: text, ...(typeof name === 'string' ? { name } : {}) };
  });
}
