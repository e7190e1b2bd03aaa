// CPU reference of the sampler, written the direct way (sort, cumulative sums) as Hugging Face's
// logits processors/warpers do, to check the GPU's bisection thresholds. Same counter-based RNG.

import type { ResolvedSampling } from './options.js';
import { uniformDraw } from './rng.js';

const F32_MAX = 3.4028234663852886e38;

/** The sampler kernel's status bits for one row's logits (NON_FINITE_* in errors.ts; 0: all finite). */
export function nonFiniteKindsRef(logits: ArrayLike<number>): number {
  let kinds = 0;
  let anyFinite = false;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v)) kinds |= 1;
    else if (v === Number.POSITIVE_INFINITY) kinds |= 2;
    else if (v !== Number.NEGATIVE_INFINITY) anyFinite = true;
  }
  return anyFinite ? kinds : kinds | 4;
}

/**
 * Picks the next id for one row. `logits`: (vocab); `seen`: ids present so far (for the
 * repetition penalty). Computation in f64 except where f32 rounding decides ties. As the GPU
 * sampler: a NaN or +-Inf logit is never chosen (probability 0); with no finite logit, id 0.
 */
export function sampleRef(
  logits: ArrayLike<number>,
  seen: ReadonlySet<number>,
  options: ResolvedSampling,
  step: number,
  row: number,
): number {
  const vocab = logits.length;
  const l = new Float64Array(vocab);
  const excluded = new Uint8Array(vocab);
  for (let i = 0; i < vocab; i++) {
    let v = logits[i]!;
    if (!Number.isFinite(v)) {
      excluded[i] = 1;
      l[i] = Number.NEGATIVE_INFINITY;
      continue;
    }
    if (options.repetitionPenalty !== 1 && seen.has(i)) {
      v = v < 0 ? v * options.repetitionPenalty : v / options.repetitionPenalty;
    }
    l[i] = Math.min(Math.max(Math.fround(v), -F32_MAX), F32_MAX);
  }
  let best = -1;
  for (let i = 0; i < vocab; i++) if (!excluded[i] && (best < 0 || l[i]! > l[best]!)) best = i;
  if (best < 0) return 0;
  if (options.temperature === 0) return best;

  const p = new Float64Array(vocab);
  for (let i = 0; i < vocab; i++) {
    p[i] = excluded[i] ? 0 : Math.fround(Math.exp((l[i]! - l[best]!) / options.temperature));
  }
  const keep = new Uint8Array(vocab).fill(1);
  const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
  if (options.topK > 0 && options.topK < vocab) {
    const kth = p[order[options.topK - 1]!]!;
    for (let i = 0; i < vocab; i++) if (p[i]! < kth) keep[i] = 0;
  }
  if (options.topP < 1) {
    let total = 0;
    for (let i = 0; i < vocab; i++) if (keep[i]) total += p[i]!;
    // Smallest prefix of the sorted kept tokens whose mass reaches topP * total; ties at the
    // boundary value are all kept.
    let mass = 0;
    let boundary = 0;
    for (const i of order) {
      if (!keep[i]) continue;
      mass += p[i]!;
      boundary = p[i]!;
      if (mass >= options.topP * total) break;
    }
    for (let i = 0; i < vocab; i++) if (p[i]! < boundary) keep[i] = 0;
  }
  if (options.minP > 0) for (let i = 0; i < vocab; i++) if (p[i]! < options.minP) keep[i] = 0;

  let total = 0;
  for (let i = 0; i < vocab; i++) if (keep[i]) total += p[i]!;
  const r = uniformDraw(options.seed, step, row) * total;
  let acc = 0;
  let last = best;
  for (let i = 0; i < vocab; i++) {
    if (!keep[i] || p[i] === 0) continue;
    acc += p[i]!;
    last = i;
    if (r < acc) return i;
  }
  return last;
}
