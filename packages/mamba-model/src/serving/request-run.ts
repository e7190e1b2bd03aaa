// One request's rows through the batcher: each choice decodes its ids to text incrementally,
// applies the stop strings, reports deltas as they come and settles once every choice ended.
// Cancelling (the caller's signal, or a stream closed early) ends every row and frees its slot.

import type { ModelTokenizer } from '../model/tokenizer.js';
import type { ContinuousBatcher, RowEnd, RowJob } from './batcher.js';
import type { ParsedSampling } from './params.js';
import { StopMatcher } from './stop-strings.js';
import type { FinishReason, Usage } from './types.js';

export interface ChoiceResult {
  index: number;
  text: string;
  ids: number[];
  finishReason: FinishReason;
}

export interface RunResult {
  choices: ChoiceResult[];
  usage: Usage;
}

export interface RunEvents {
  /** New text (possibly '') and the ids that made it. */
  delta?(index: number, text: string, ids: number[]): void;
  /** A choice ended; `usage` comes with the last one. */
  finish?(index: number, reason: FinishReason, text: string, usage: Usage | undefined): void;
}

export interface RunInput {
  prompts: number[][];
  parsed: ParsedSampling;
  stopIds: ReadonlySet<number>;
  tokenizer: ModelTokenizer | undefined;
  signal?: AbortSignal | undefined;
  /** Ends the run early (a stream's consumer left). */
  controller: AbortController;
}

/**
 * Submits every row (prompts x n); resolves with the choices in index order. Throws at once (not
 * through the promise) when the rows do not fit (QueueFullError), so a server can answer 429.
 */
export function runRows(
  batcher: ContinuousBatcher,
  input: RunInput,
  events: RunEvents = {},
): Promise<RunResult> {
  const { prompts, parsed, controller } = input;
  const { n } = parsed;
  const onAbort = () => controller.abort(input.signal?.reason);
  if (input.signal?.aborted) onAbort();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const jobs: RowJob[] = [];
  const settled = new Promise<RunResult>((resolve, reject) => {
    const results: ChoiceResult[] = [];
    let completionTokens = 0;
    let open = prompts.length * n;
    let failed = false;
    const usage = (): Usage => {
      const promptTokens = prompts.reduce((sum, p) => sum + p.length, 0);
      return {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      };
    };
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      input.signal?.removeEventListener('abort', onAbort);
      if (!controller.signal.aborted) controller.abort(error);
      reject(error);
    };
    prompts.forEach((promptIds, p) => {
      for (let i = 0; i < n; i++) {
        const index = p * n + i;
        const decoder = input.tokenizer?.streamDecoder();
        const matcher = new StopMatcher(parsed.stop);
        const ids: number[] = [];
        let text = '';
        jobs.push({
          promptIds,
          sampling: parsed.sampling,
          rngRow: i,
          maxTokens: parsed.maxTokens,
          stopIds: input.stopIds,
          signal: controller.signal,
          onToken(id) {
            ids.push(id);
            const released = matcher.push(decoder ? decoder.push(id) : '');
            text += released;
            if (released || parsed.returnTokenIds) events.delta?.(index, released, [id]);
            return matcher.done;
          },
          onEnd(reason: RowEnd, generated) {
            completionTokens += generated;
            if (reason === 'cancelled') {
              fail(abortReason(controller.signal));
              return;
            }
            if (failed) return;
            let rest = matcher.push(decoder?.flush() ?? '');
            rest += matcher.flush();
            text += rest;
            const finishReason: FinishReason = matcher.done ? 'stop' : reason;
            results.push({ index, text, ids, finishReason });
            open--;
            const last = open === 0;
            events.finish?.(index, finishReason, rest, last ? usage() : undefined);
            if (last) {
              input.signal?.removeEventListener('abort', onAbort);
              resolve({ choices: results.sort((a, b) => a.index - b.index), usage: usage() });
            }
          },
          onError: fail,
        });
      }
    });
  });
  try {
    batcher.submit(jobs);
  } catch (error) {
    input.signal?.removeEventListener('abort', onAbort);
    throw error;
  }
  return settled;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The request was cancelled', 'AbortError');
}
