// Sampling options and their validation. Defaults reproduce greedy decoding.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';

export interface SamplingOptions {
  /** 0 (default) = greedy (argmax). Otherwise logits are divided by it. */
  temperature?: number;
  /** Keep the k most likely tokens (0 = off). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability mass reaches p (1 = off). */
  topP?: number;
  /** Drop tokens whose probability is below minP * (the top token's probability) (0 = off). */
  minP?: number;
  /** > 1 discourages tokens already present (prompt and generated), as HF's repetition_penalty. */
  repetitionPenalty?: number;
  /** Seed of the counter-based RNG (default 0). */
  seed?: number;
}

export interface ResolvedSampling {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repetitionPenalty: number;
  seed: number;
}

/** Validates sampling options and fills defaults; throws InvalidArgumentError naming `caller`. */
export function resolveSampling(caller: string, options: SamplingOptions = {}): ResolvedSampling {
  const r: ResolvedSampling = {
    temperature: options.temperature ?? 0,
    topK: options.topK ?? 0,
    topP: options.topP ?? 1,
    minP: options.minP ?? 0,
    repetitionPenalty: options.repetitionPenalty ?? 1,
    seed: options.seed ?? 0,
  };
  const check = (ok: boolean, name: keyof ResolvedSampling, want: string) => {
    const value: unknown = r[name];
    if (ok && typeof value === 'number') return;
    const got =
      typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 20))}` : String(value);
    throw new InvalidArgumentError(`${caller}: ${name} must be ${want}, got ${got}`, name);
  };
  check(Number.isFinite(r.temperature) && r.temperature >= 0, 'temperature', 'a number >= 0 (0 = greedy)');
  check(Number.isInteger(r.topK) && r.topK >= 0, 'topK', 'an integer >= 0 (0 = off)');
  check(r.topP > 0 && r.topP <= 1, 'topP', 'in (0, 1]');
  check(r.minP >= 0 && r.minP < 1, 'minP', 'in [0, 1)');
  check(
    Number.isFinite(r.repetitionPenalty) && r.repetitionPenalty > 0,
    'repetitionPenalty',
    'a number > 0 (1 = off)',
  );
  check(Number.isInteger(r.seed) && r.seed >= 0 && r.seed < 2 ** 32, 'seed', 'an integer in [0, 2^32)');
  return r;
}
