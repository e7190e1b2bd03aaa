// The OpenAI API shapes the engine takes and returns (the subset it implements), written out so
// that the package needs no `openai` dependency. Field names are the wire names (snake_case).

/** Sampling and length fields shared by completions and chat completions. */
export interface SamplingParams {
  /** Model name; checked against the engine's when given. */
  model?: string;
  /** New tokens per choice (completions default 16, chat default the engine's `defaultMaxTokens`). */
  max_tokens?: number | null;
  /** Chat's newer name for max_tokens. */
  max_completion_tokens?: number | null;
  /** 0 = greedy; default 1, as OpenAI. */
  temperature?: number | null;
  top_p?: number | null;
  /** 0 or -1 = off (vLLM's extension). */
  top_k?: number | null;
  /** 0 = off (vLLM's extension). */
  min_p?: number | null;
  /** 1 = off (vLLM's extension, Hugging Face semantics). */
  repetition_penalty?: number | null;
  /** Same seed, same prompt, same settings: same tokens, whatever else runs (default: random). */
  seed?: number | null;
  /** Up to 16 strings; the text ends before the first one that appears. */
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  /** Choices per prompt (each one a row of its own: rows draw differently). */
  n?: number | null;
  /** Also return each choice's token ids as `token_ids` (vLLM's extension). */
  return_token_ids?: boolean | null;
  /** Keep generating past the EOS id (vLLM's extension). */
  ignore_eos?: boolean | null;
}

export interface CompletionCreateParams extends SamplingParams {
  /** Text, token ids, or a list of either (one set of choices per prompt). */
  prompt: string | string[] | number[] | number[][];
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer' | string;
  content: string | { type: 'text'; text: string }[] | null;
  name?: string;
}

export interface ChatCompletionCreateParams extends SamplingParams {
  messages: ChatMessage[];
}

export type FinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface CompletionChoice {
  index: number;
  text: string;
  finish_reason: FinishReason;
  logprobs: null;
  token_ids?: number[];
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage: Usage;
}

export interface CompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: {
    index: number;
    text: string;
    finish_reason: FinishReason | null;
    logprobs: null;
    token_ids?: number[];
  }[];
  usage?: Usage | null;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string; refusal: null };
    finish_reason: FinishReason;
    logprobs: null;
    token_ids?: number[];
  }[];
  usage: Usage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string };
    finish_reason: FinishReason | null;
    logprobs: null;
    token_ids?: number[];
  }[];
  usage?: Usage | null;
}

/** Per-call options (the second argument, as the openai client's). */
export interface RequestOptions {
  /** Cancels the request: its rows leave the batch and free their slots. */
  signal?: AbortSignal;
}
