// Summary statistics of timing samples: median, extremes, p10/p90, median absolute deviation and
// the relative spread the bench compares runs with. Pure functions (CPU-tested).

/** Summary of timing samples in ms. */
export interface SampleStats {
  /** Median of the samples. */
  median: number;
  min: number;
  max: number;
  mean: number;
  /** 10th and 90th percentiles (linear interpolation between order statistics). */
  p10: number;
  p90: number;
  /** Median absolute deviation from the median. */
  mad: number;
  /** (max - min) / median: the relative spread of a bench row (0 when the median is 0). */
  spread: number;
  /** Every sample, in the order taken. */
  samples: number[];
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The `q`-quantile (0 <= q <= 1) of a non-empty list, interpolating linearly between the order
 * statistics around position q * (n - 1) (numpy's default, R type 7).
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile: expected at least one value, got none');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}

/** Summary statistics of a non-empty list of samples. */
export function summarize(samples: readonly number[]): SampleStats {
  if (samples.length === 0) throw new Error('summarize: expected at least one sample, got none');
  const med = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return {
    median: med,
    min,
    max,
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p10: quantile(samples, 0.1),
    p90: quantile(samples, 0.9),
    mad: median(samples.map((s) => Math.abs(s - med))),
    spread: med > 0 ? (max - min) / med : 0,
    samples: [...samples],
  };
}

/**
 * A rate from a time: `amount` units of work per second at the median (e.g. bytes / 1e9 for
 * GB/s, tokens for tok/s), with the relative spread carried over.
 */
export function perSecond(stats: SampleStats, amount: number): { value: number; spread: number } {
  return { value: amount / (stats.median / 1000), spread: stats.spread };
}
