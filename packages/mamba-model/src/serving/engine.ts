// createEngine: the OpenAI API in-process. `completions.create` and `chat.completions.create`
// take OpenAI request bodies, validate them before any GPU work, and run their rows through one
// continuous batch; they return OpenAI-shaped objects, or with `stream: true` an async iterator
// of OpenAI-shaped chunks (the last one carries finish_reason and usage).

import type { MambaModel } from '../model/mamba-model.js';
import { maxPrefillTokens } from '../model/prompt-limits.js';
import { ContinuousBatcher } from './batcher.js';
import { type ChatTemplate, chatTemplateFor } from './chat-template.js';
import { ChatTemplateError, InvalidRequestError } from './errors.js';
import type { LatencySnapshot } from './latency.js';
import { AsyncQueue } from './async-queue.js';
import { parseMessages, parsePrompts, parseSampling, type RequestLimits, requestBody } from './params.js';
import { type RunEvents, type RunResult, runRows } from './request-run.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  Completion,
  CompletionChunk,
  CompletionCreateParams,
  RequestOptions,
} from './types.js';

export interface EngineOptions {
  /** Rows decoded together: the state slots (default 8). */
  slots?: number;
  /** Rows that may wait for a slot before requests are refused with QueueFullError (default 64). */
  queue?: number;
  /** The name requests and responses use (default 'mamba'). */
  modelName?: string;
  /** Largest max_tokens (default 4096). */
  maxTokens?: number;
  /** Chat's max_tokens when the request gives none (default 256; completions default to 16, as OpenAI). */
  defaultChatMaxTokens?: number;
  /**
   * Largest prompt in tokens (default 32768, or fewer when one prefill fits fewer on the adapter;
   * a value above what fits is refused).
   */
  maxPromptTokens?: number;
  /** A Jinja chat template used instead of the checkpoint's. */
  chatTemplate?: string;
  /** Largest number of decode steps between token reads (default 16). */
  lookahead?: number;
}

export interface EngineStats {
  slots: number;
  activeRows: number;
  queuedRows: number;
  decodeSteps: number;
  generatedTokens: number;
  requests: number;
  /** Time to first token (histogram, recent p50/p99) and tokens/s over the last 10 s. */
  latency: LatencySnapshot;
}

export interface CompletionsApi {
  create(
    body: CompletionCreateParams & { stream: true },
    options?: RequestOptions,
  ): Promise<AsyncIterableIterator<CompletionChunk>>;
  create(
    body: CompletionCreateParams & { stream?: false | null },
    options?: RequestOptions,
  ): Promise<Completion>;
  create(
    body: CompletionCreateParams,
    options?: RequestOptions,
  ): Promise<Completion | AsyncIterableIterator<CompletionChunk>>;
}

export interface ChatCompletionsApi {
  create(
    body: ChatCompletionCreateParams & { stream: true },
    options?: RequestOptions,
  ): Promise<AsyncIterableIterator<ChatCompletionChunk>>;
  create(
    body: ChatCompletionCreateParams & { stream?: false | null },
    options?: RequestOptions,
  ): Promise<ChatCompletion>;
  create(
    body: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<ChatCompletion | AsyncIterableIterator<ChatCompletionChunk>>;
}

export interface Engine {
  /** The model name requests and responses use. */
  readonly modelName: string;
  readonly completions: CompletionsApi;
  readonly chat: { readonly completions: ChatCompletionsApi };
  stats(): EngineStats;
  /**
   * Stops taking requests; running ones finish (or, with `cancel`, end as cancelled). Frees the
   * engine's GPU state; the model stays loaded.
   */
  close(options?: { cancel?: boolean }): Promise<void>;
}

/** An in-process OpenAI-compatible engine over a loaded model, with continuous batching. */
export function createEngine(model: MambaModel, options: EngineOptions = {}): Engine {
  const slots = positiveInteger('slots', options.slots ?? 8);
  const queue = positiveInteger('queue', options.queue ?? 64, 0);
  const maxChunk =
    options.lookahead !== undefined ? positiveInteger('lookahead', options.lookahead) : undefined;
  const modelName = options.modelName ?? 'mamba';
  const limits: RequestLimits = {
    vocabSize: model.config.vocabSize,
    maxTokens: positiveInteger('maxTokens', options.maxTokens ?? 4096),
    maxPromptTokens: promptTokenLimit(model, options.maxPromptTokens),
    maxRows: slots + queue,
  };
  const chatMaxTokens = positiveInteger('defaultChatMaxTokens', options.defaultChatMaxTokens ?? 256);
  const template: ChatTemplate | undefined = chatTemplateFor(model.tokenizerConfig, options.chatTemplate);
  const batcher = new ContinuousBatcher(model.ctx, model.config, model.weights, {
    slots,
    queue,
    ...(maxChunk !== undefined ? { maxChunk } : {}),
  });
  const stopIds = new Set(model.config.eosTokenId !== undefined ? [model.config.eosTokenId] : []);
  const tokenizer = model.tokenizer;
  const encode = tokenizer ? (text: string) => tokenizer.encode(text) : undefined;
  let requests = 0;

  const start = (
    kind: 'completion' | 'chat',
    prompts: number[][],
    parsed: ReturnType<typeof parseSampling>,
    signal: AbortSignal | undefined,
  ) => {
    if (prompts.length * parsed.n > limits.maxRows) {
      throw new InvalidRequestError(
        `${kind}: ${prompts.length} prompt(s) x n = ${parsed.n} make ${prompts.length * parsed.n} rows, more than ${limits.maxRows}`,
        'n',
      );
    }
    requests++;
    const controller = new AbortController();
    const head = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomId()}`,
      created: Math.floor(Date.now() / 1000),
      model: modelName,
    };
    const rowStopIds = parsed.ignoreEos ? new Set<number>() : stopIds;
    const run = (events?: RunEvents) =>
      runRows(batcher, { prompts, parsed, stopIds: rowStopIds, tokenizer, signal, controller }, events);
    /** A choice's `token_ids` when the request asked for them (vLLM's return_token_ids). */
    const withIds = (ids: number[]) => (parsed.returnTokenIds ? { token_ids: ids } : {});
    /** The streamed chunks: `first` at once, then what `events` pushes; leaving early cancels. */
    const stream = <C>(events: (push: (chunk: C) => void) => RunEvents, first: C[] = []) => {
      const chunks = new AsyncQueue<C>(() => controller.abort());
      for (const c of first) chunks.push(c);
      run(events((c) => chunks.push(c))).then(
        () => chunks.end(),
        (error) => chunks.fail(error),
      );
      return chunks;
    };
    return { head, run, withIds, stream };
  };

  const completions = {
    async create(body: CompletionCreateParams, request: RequestOptions = {}) {
      const caller = 'completions.create';
      const b = requestBody(caller, body);
      const parsed = parseSampling(caller, b, limits, 16);
      const prompts = parsePrompts(caller, b.prompt, limits, encode);
      const { head, run, withIds, stream } = start('completion', prompts, parsed, request.signal);
      if (!parsed.stream) {
        const result = await run();
        return {
          ...head,
          object: 'text_completion',
          choices: result.choices.map((c) => ({
            index: c.index,
            text: c.text,
            finish_reason: c.finishReason,
            logprobs: null,
            ...withIds(c.ids),
          })),
          usage: result.usage,
        } satisfies Completion;
      }
      const chunk = (
        choice: CompletionChunk['choices'][number],
        usage?: RunResult['usage'],
      ): CompletionChunk => ({
        ...head,
        object: 'text_completion',
        choices: [choice],
        ...(usage ? { usage } : {}),
      });
      return stream<CompletionChunk>((push) => ({
        delta: (index, text, ids) =>
          push(chunk({ index, text, finish_reason: null, logprobs: null, ...withIds(ids) })),
        finish: (index, reason, text, usage) =>
          push(chunk({ index, text, finish_reason: reason, logprobs: null }, usage)),
      }));
    },
  } as CompletionsApi;

  const chatCompletions = {
    async create(body: ChatCompletionCreateParams, request: RequestOptions = {}) {
      const caller = 'chat.completions.create';
      const b = requestBody(caller, body);
      const parsed = parseSampling(caller, b, limits, chatMaxTokens);
      const messages = parseMessages(caller, b.messages);
      if (!template) {
        throw new ChatTemplateError(
          `${caller}: the model has no chat template (tokenizer_config.json chat_template); use completions.create, or give createEngine a chatTemplate`,
          'messages',
        );
      }
      if (!encode)
        throw new InvalidRequestError(`${caller}: the model has no tokenizer (tokenizer.json)`, 'messages');
      const prompts = parsePrompts(caller, template.render(caller, messages), limits, encode);
      const { head, run, withIds, stream } = start('chat', prompts, parsed, request.signal);
      if (!parsed.stream) {
        const result = await run();
        return {
          ...head,
          object: 'chat.completion',
          choices: result.choices.map((c) => ({
            index: c.index,
            message: { role: 'assistant', content: c.text, refusal: null },
            finish_reason: c.finishReason,
            logprobs: null,
            ...withIds(c.ids),
          })),
          usage: result.usage,
        } satisfies ChatCompletion;
      }
      const chunk = (
        choice: ChatCompletionChunk['choices'][number],
        usage?: RunResult['usage'],
      ): ChatCompletionChunk => ({
        ...head,
        object: 'chat.completion.chunk',
        choices: [choice],
        ...(usage ? { usage } : {}),
      });
      // Each choice opens with the assistant role, as OpenAI's streams do.
      const opening = Array.from({ length: prompts.length * parsed.n }, (_, index) =>
        chunk({ index, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }),
      );
      return stream<ChatCompletionChunk>(
        (push) => ({
          delta: (index, text, ids) =>
            push(
              chunk({
                index,
                delta: { content: text },
                finish_reason: null,
                logprobs: null,
                ...withIds(ids),
              }),
            ),
          finish: (index, reason, text, usage) =>
            push(
              chunk(
                { index, delta: text ? { content: text } : {}, finish_reason: reason, logprobs: null },
                usage,
              ),
            ),
        }),
        opening,
      );
    },
  } as ChatCompletionsApi;

  return {
    modelName,
    completions,
    chat: { completions: chatCompletions },
    stats: () => ({ ...batcher.stats(), requests }),
    close: (closeOptions) => batcher.close(closeOptions),
  };
}

function positiveInteger(name: string, value: number, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidRequestError(`createEngine: ${name} must be an integer >= ${min}, got ${value}`, name);
  }
  return value;
}

/**
 * `maxPromptTokens`: the option (default 32768, lowered to what fits) at most the tokens one
 * prefill fits on the adapter, so an over-long request is refused up front (400), not by the
 * prefill of the batch it would join.
 */
function promptTokenLimit(model: MambaModel, option: number | undefined): number {
  const fits = maxPrefillTokens(model.config, model.ctx.limits);
  if (option === undefined) return Math.max(1, Math.min(32768, fits));
  const value = positiveInteger('maxPromptTokens', option);
  if (value > fits) {
    throw new InvalidRequestError(
      `createEngine: maxPromptTokens ${value} is more than the ${fits} tokens one prefill fits on this adapter (maxStorageBufferBindingSize ${model.ctx.limits.maxStorageBufferBindingSize}); give at most ${fits}`,
      'maxPromptTokens',
    );
  }
  return value;
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 12);
}
