// A load generator for the OpenAI-compatible server: concurrent streaming /v1/completions requests
// over HTTP (fetch + a server-sent-events reader, so the bench bundle needs no client library),
// each timed from its send to its first token and its end. Requests ask for return_token_ids, so
// every chunk carries its ids and the outputs can be compared with solo runs id for id.

/** One request of a load: token-id prompt, length, sampling; `cancelAfter`: abort after that many ids. */
export interface LoadRequest {
  prompt: number[];
  maxTokens: number;
  seed: number;
  temperature: number;
  cancelAfter?: number;
}

export interface LoadOutcome {
  ids: number[];
  /** finish_reason of the last chunk; 'cancelled' when the client aborted it. */
  finishReason: string;
  /** ms from send to the first chunk with ids; NaN when none came. */
  ttftMs: number;
  /** ms from send to the end of the stream. */
  totalMs: number;
  /** completion_tokens of the usage in the last chunk (NaN when cancelled). */
  usageTokens: number;
  /** performance.now() of the send, and [time, ids] of every chunk that carried ids. */
  sentAt: number;
  arrivals: [number, number][];
}

export interface LoadSummary {
  outcomes: LoadOutcome[];
  wallMs: number;
  /** Ids received over all requests. */
  tokens: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  /**
   * Tokens/s while every stream was decoding: from the last stream's first token to the first
   * stream's end (NaN when that window is under 100 ms).
   */
  steadyTokensPerSecond: number;
}

/** The request body of a LoadRequest (model name `model`). */
export function loadBody(r: LoadRequest, model: string, stream: boolean) {
  return {
    model,
    prompt: r.prompt,
    max_tokens: r.maxTokens,
    temperature: r.temperature,
    seed: r.seed,
    ignore_eos: true,
    return_token_ids: true,
    stream,
  };
}

/** Streams one completion from `baseUrl` (the server root); resolves when the stream ends. */
export async function streamCompletion(
  baseUrl: string,
  r: LoadRequest,
  model = 'mamba',
): Promise<LoadOutcome> {
  const t0 = performance.now();
  const controller = new AbortController();
  const ids: number[] = [];
  const arrivals: [number, number][] = [];
  let ttftMs = Number.NaN;
  let finishReason = '';
  let usageTokens = Number.NaN;
  const response = await fetch(`${baseUrl}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(loadBody(r, model, true)),
    signal: controller.signal,
  });
  if (!response.ok || !response.body) {
    throw new Error(`streamCompletion: HTTP ${response.status}: ${await response.text()}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
        for (const line of event.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const data = line.slice(6);
          if (data === '[DONE]') continue;
          const chunk = JSON.parse(data) as {
            choices: { token_ids?: number[]; finish_reason: string | null }[];
            usage?: { completion_tokens: number };
          };
          const choice = chunk.choices[0];
          if (choice?.token_ids?.length) {
            const now = performance.now();
            if (ids.length === 0) ttftMs = now - t0;
            ids.push(...choice.token_ids);
            arrivals.push([now, choice.token_ids.length]);
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (chunk.usage) usageTokens = chunk.usage.completion_tokens;
        }
        if (r.cancelAfter !== undefined && ids.length >= r.cancelAfter) {
          controller.abort();
          return {
            ids,
            finishReason: 'cancelled',
            ttftMs,
            totalMs: performance.now() - t0,
            usageTokens,
            sentAt: t0,
            arrivals,
          };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { ids, finishReason, ttftMs, totalMs: performance.now() - t0, usageTokens, sentAt: t0, arrivals };
}

/** Runs every request at once; the figures cover the whole load, first send to last end. */
export async function runLoad(
  baseUrl: string,
  requests: readonly LoadRequest[],
  model = 'mamba',
): Promise<LoadSummary> {
  const t0 = performance.now();
  const outcomes = await Promise.all(requests.map((r) => streamCompletion(baseUrl, r, model)));
  const wallMs = performance.now() - t0;
  const tokens = outcomes.reduce((sum, o) => sum + o.ids.length, 0);
  const ttft = outcomes
    .map((o) => o.ttftMs)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const started = Math.max(...outcomes.map((o) => o.arrivals[0]?.[0] ?? Number.POSITIVE_INFINITY));
  const firstEnd = Math.min(...outcomes.map((o) => o.sentAt + o.totalMs));
  let windowTokens = 0;
  for (const o of outcomes)
    for (const [t, n] of o.arrivals) if (t > started && t <= firstEnd) windowTokens += n;
  const windowMs = firstEnd - started;
  return {
    outcomes,
    wallMs,
    steadyTokensPerSecond: windowMs >= 100 ? (windowTokens * 1000) / windowMs : Number.NaN,
    tokens,
    requestsPerSecond: (requests.length * 1000) / wallMs,
    tokensPerSecond: (tokens * 1000) / wallMs,
    ttftP50Ms: nearestRank(ttft, 0.5),
    ttftP99Ms: nearestRank(ttft, 0.99),
  };
}

function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

/**
 * `count` requests of mixed prompt lengths [minPrompt, maxPrompt] and lengths [minTokens,
 * maxTokens], deterministic in `seed`; ids below `vocab`.
 */
export function mixedRequests(
  count: number,
  o: {
    vocab: number;
    minPrompt: number;
    maxPrompt: number;
    minTokens: number;
    maxTokens: number;
    seed?: number;
  },
): LoadRequest[] {
  let s = (o.seed ?? 1) >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const between = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return Array.from({ length: count }, (_, i) => ({
    prompt: Array.from({ length: between(o.minPrompt, o.maxPrompt) }, () => between(1, o.vocab - 1)),
    maxTokens: between(o.minTokens, o.maxTokens),
    seed: 1000 + i,
    temperature: 0.8,
  }));
}
