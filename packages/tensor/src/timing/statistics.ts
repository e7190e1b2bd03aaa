// Summary statistics of timing samples: median, extremes, p10/p90, the median absolute deviation,
// the relative spread the bench reports (MAD / median) and the count of outlying samples.
// Pure functions (CPU-tested).

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
  /**
   * mad / median: the relative spread of a bench row (0 when the median is 0). Robust: one cold
   * sample left after the warm-up moves it little; `outliers` counts such samples instead.
   */
  spread: number;
  /** Samples farther than OUTLIER_MADS scaled MADs (and 1% of the median) from the median. */
  outliers: number;
  /** Every sample, in the order taken. */
  samples: number[];
}

/** 1.4826 x MAD estimates the standard deviation of normally distributed samples. */
export const MAD_TO_SIGMA = 1.4826;
/** A sample is an outlier beyond this many scaled MADs from the median (robust z-score > 3). */
export const OUTLIER_MADS = 3;
/** ...and beyond this fraction of the median, so that identical samples (MAD 0) flag no jitter. */
export const OUTLIER_MIN_RELATIVE = 0.01;

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
  const mad = median(samples.map((s) => Math.abs(s - med)));
  const limit = Math.max(OUTLIER_MADS * MAD_TO_SIGMA * mad, OUTLIER_MIN_RELATIVE * Math.abs(med));
  return {
    median: med,
    min,
    max,
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p10: quantile(samples, 0.1),
    p90: quantile(samples, 0.9),
    mad,
    spread: med > 0 ? mad / med : 0,
    outliers: samples.filter((s) => Math.abs(s - med) > limit).length,
    samples: [...samples],
  };
}

/**
 * A rate from a time: `amount` units of work per second at the median (e.g. bytes / 1e9 for
 * GB/s, tokens for tok/s), with the relative spread and the outlier count carried over (to first
 * order the rate's relative MAD is the time's).
 */
export function perSecond(
  stats: SampleStats,
  amount: number,
): { value: number; spread: number; outliers: number } {
  return { value: amount / (stats.median / 1000), spread: stats.spread, outliers: stats.outliers };
}
