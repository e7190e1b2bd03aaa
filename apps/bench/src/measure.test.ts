// measure() statistics and control flow; no assertion depends on how fast anything ran.
import { describe, expect, it } from 'vitest';
import { measure, median, perSecond, summarize } from './measure.js';

describe('median and summarize', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median: expected at least one value');
  });

  it('computes the spread as (max - min) / median', () => {
    const m = summarize([2, 4, 3, 10, 3]);
    expect(m).toMatchObject({ median: 3, min: 2, max: 10, mean: 4.4 });
    expect(m.spread).toBeCloseTo(8 / 3);
  });
});

describe('measure', () => {
  it('uses the durations a function returns (GPU timestamps) after the warm-up', async () => {
    let calls = 0;
    const times = [100, 100, 5, 7, 6, 9, 5];
    const m = await measure(() => Promise.resolve(times[calls++]), { warmup: 2, reps: 5 });
    expect(calls).toBe(7);
    expect(m.samples).toEqual([5, 7, 6, 9, 5]);
    expect(m.median).toBe(6);
    expect(m.source).toBe('gpu');
  });

  it('falls back to the wall clock for functions that return nothing', async () => {
    let calls = 0;
    const m = await measure(
      async () => {
        calls++;
      },
      { warmup: 1, reps: 4 },
    );
    expect(calls).toBe(5);
    expect(m.samples).toHaveLength(4);
    expect(m.samples.every((s) => s >= 0)).toBe(true);
    expect(m.source).toBe('wall');
  });

  it('mixes sources when timestamps are sometimes missing', async () => {
    let calls = 0;
    const m = await measure(() => (calls++ % 2 ? 3 : undefined), { warmup: 0, reps: 4 });
    expect(m.source).toBe('mixed');
    expect(m.samples.filter((s) => s === 3)).toHaveLength(2);
  });

  it('stops at minReps once the budget is spent, and reports each sample', async () => {
    const seen: [number, number][] = [];
    const m = await measure(() => 1, {
      warmup: 1,
      reps: 100,
      minReps: 3,
      budgetMs: -1,
      onSample: (done, planned) => seen.push([done, planned]),
    });
    expect(m.samples).toEqual([1, 1, 1]);
    expect(seen).toEqual([
      [1, 100],
      [2, 100],
      [3, 100],
    ]);
  });

  it('turns a time into a rate per second', () => {
    const m = summarize([2, 2, 2.2]);
    expect(perSecond(m, 4)).toEqual({ value: 2000, spread: m.spread });
  });
});
