// The statistics of measure(): median, quantiles, MAD, spread and outliers on hand-checked samples.
import { describe, expect, it } from 'vitest';
import { median, perSecond, quantile, summarize } from './statistics.js';

describe('median and quantile', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow('quantile: expected at least one value, got none');
  });

  it('interpolates linearly between order statistics (numpy default)', () => {
    const values = [10, 1, 7, 3, 5, 9, 2, 8, 4, 6]; // 1..10 shuffled
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(10);
    expect(quantile(values, 0.1)).toBeCloseTo(1.9);
    expect(quantile(values, 0.9)).toBeCloseTo(9.1);
    expect(quantile([5, 5, 5], 0.3)).toBe(5);
    expect(() => quantile([1], 1.5)).toThrow('quantile: q must be in [0, 1], got 1.5');
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('reports median, extremes, mean, p10/p90, MAD and MAD / median', () => {
    const m = summarize([2, 4, 3, 10, 3]);
    expect(m).toMatchObject({ median: 3, min: 2, max: 10, mean: 4.4, samples: [2, 4, 3, 10, 3] });
    // Sorted 2 3 3 4 10: p10 at position 0.4, p90 at position 3.6.
    expect(m.p10).toBeCloseTo(2.4);
    expect(m.p90).toBeCloseTo(7.6);
    // |x - 3| = 1 1 0 7 0: median 1. The outlier 10 moves the MAD by nothing; it is counted.
    expect(m.mad).toBe(1);
    expect(m.spread).toBeCloseTo(1 / 3);
    expect(m.outliers).toBe(1);
  });

  it('counts samples beyond 3 scaled MADs (and 1% of the median) as outliers', () => {
    // Median 10, MAD 0.1: the limit is 3 x 1.4826 x 0.1 = 0.445.
    expect(summarize([10, 10.1, 9.9, 10.2, 9.8, 10, 10.4]).outliers).toBe(0);
    expect(summarize([10, 10.1, 9.9, 10.2, 9.8, 10, 10.5]).outliers).toBe(1);
    // A cold first sample, twice as slow, left after the warm-up.
    expect(summarize([20, 10, 10.1, 9.9, 10]).outliers).toBe(1);
    // MAD 0: jitter within 1% of the median is no outlier, a 5% jump is.
    expect(summarize([4, 4, 4, 4.02]).outliers).toBe(0);
    expect(summarize([4, 4, 4, 4.2]).outliers).toBe(1);
  });

  it('has zero spread for identical samples or a zero median', () => {
    expect(summarize([4, 4, 4])).toMatchObject({ spread: 0, mad: 0, p10: 4, p90: 4, outliers: 0 });
    expect(summarize([0, 0, 1]).spread).toBe(0);
    expect(() => summarize([])).toThrow('summarize: expected at least one sample, got none');
  });

  it('turns a time into a rate per second', () => {
    const m = summarize([2, 2, 2.2]);
    expect(perSecond(m, 4)).toEqual({ value: 2000, spread: m.spread, outliers: 1 });
  });
});
