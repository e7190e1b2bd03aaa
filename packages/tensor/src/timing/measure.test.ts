// measure() on host functions: warm-up, sample counts, budget, repeat and the clock reported.
// No assertion depends on how fast anything ran.
import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';

describe('measure (host functions)', () => {
  it('uses the durations a function returns after the warm-up', async () => {
    let calls = 0;
    const times = [100, 100, 5, 7, 6, 9, 5];
    const m = await measure(() => Promise.resolve(times[calls++]), { warmup: 2, samples: 5 });
    expect(calls).toBe(7);
    expect(m.samples).toEqual([5, 7, 6, 9, 5]);
    expect(m.median).toBe(6);
    expect(m.clock).toBe('reported');
  });

  it('falls back to the wall clock for functions that return nothing', async () => {
    let calls = 0;
    const m = await measure(
      async () => {
        calls++;
      },
      { warmup: 1, samples: 4 },
    );
    expect(calls).toBe(5);
    expect(m.samples).toHaveLength(4);
    expect(m.samples.every((s) => s >= 0)).toBe(true);
    expect(m.clock).toBe('wall');
  });

  it('mixes clocks when a duration is sometimes missing', async () => {
    let calls = 0;
    const m = await measure(() => (calls++ % 2 ? 3 : undefined), { warmup: 0, samples: 4 });
    expect(m.clock).toBe('mixed');
    expect(m.samples.filter((s) => s === 3)).toHaveLength(2);
  });

  it('stops at minSamples once the budget is spent, and reports each sample', async () => {
    const seen: [number, number][] = [];
    const m = await measure(() => 1, {
      warmup: 1,
      samples: 100,
      minSamples: 3,
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

  it('divides by repeat and runs beforeSample untimed before every run', async () => {
    let calls = 0;
    let prepared = 0;
    const sixMs = () => {
      calls++;
      return 6;
    };
    const m = await measure(sixMs, {
      warmup: 1,
      samples: 2,
      repeat: 3,
      beforeSample: () => {
        prepared++;
      },
    });
    expect(calls).toBe(9);
    expect(prepared).toBe(3);
    expect(m.samples).toEqual([6, 6]);
  });
});
