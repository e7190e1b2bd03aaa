// measure(): the timing helper for suites. Warm-up runs, then repetitions until `reps` or the
// time budget is reached; reports the median, the extremes and the relative spread.
// A function that returns a number reports its own time in ms (GPU timestamps); otherwise the
// wall clock around the call is used.

export interface MeasureOptions {
  /** Untimed runs first (pipeline compilation, buffer pool warm-up). Default 2. */
  warmup?: number;
  /** Timed repetitions wanted. Default 10. */
  reps?: number;
  /** Timed repetitions done even past the budget. Default 3 (at most `reps`). */
  minReps?: number;
  /** Stop repeating once warm-up plus repetitions took this long (wall clock). Default: no limit. */
  budgetMs?: number;
  /** Called after each timed repetition with (done, planned). */
  onSample?: (done: number, planned: number) => void;
}

export interface Measurement {
  /** Median of the samples, ms. */
  median: number;
  min: number;
  max: number;
  mean: number;
  /** (max - min) / median: the `spread` of a BenchRow. */
  spread: number;
  /** Every timed sample in ms, in the order taken. */
  samples: number[];
  /** `gpu` when every sample came from the function, `wall` when none did, else `mixed`. */
  source: 'gpu' | 'wall' | 'mixed';
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: expected at least one value, got none');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Summary statistics of samples in ms (as `measure` returns them). */
export function summarize(samples: readonly number[], source: Measurement['source'] = 'wall'): Measurement {
  const med = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    median: med,
    min,
    max,
    mean,
    spread: med > 0 ? (max - min) / med : 0,
    samples: [...samples],
    source,
  };
}

/**
 * Times `fn`: `warmup` untimed calls, then up to `reps` timed calls (at least `minReps`) within
 * `budgetMs`. `fn` may return its own duration in ms (e.g. `gpu.timeGpu(record)`); when it returns
 * anything else the wall-clock time of the call is the sample, so a GPU `fn` must await its work.
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const warmup = options.warmup ?? 2;
  const reps = Math.max(1, options.reps ?? 10);
  const minReps = Math.min(reps, Math.max(1, options.minReps ?? 3));
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  let reported = 0;
  while (samples.length < reps) {
    const t0 = performance.now();
    const returned = await fn();
    const wall = performance.now() - t0;
    if (typeof returned === 'number' && Number.isFinite(returned)) {
      samples.push(returned);
      reported++;
    } else {
      samples.push(wall);
    }
    options.onSample?.(samples.length, reps);
    if (samples.length >= minReps && performance.now() - start > budgetMs) break;
  }
  const source = reported === samples.length ? 'gpu' : reported === 0 ? 'wall' : 'mixed';
  return summarize(samples, source);
}

/**
 * A throughput row value from a measurement: `amount` units of work per second at the median
 * time (e.g. bytes / 1e9 for GB/s, tokens for tok/s). The relative spread carries over.
 */
export function perSecond(m: Measurement, amount: number): { value: number; spread: number } {
  return { value: amount / (m.median / 1000), spread: m.spread };
}
