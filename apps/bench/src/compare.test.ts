import { describe, expect, it } from 'vitest';
import { compareResults, compareRows, formatComparison, higherIsBetter, noiseSpreads } from './compare.js';
import { syntheticResult } from './testing/synthetic-result.js';
import type { BenchRow } from './types.js';

const row = (value: number, unit: string, spread?: number): BenchRow => ({
  suite: 'scan',
  name: 'scan/v2',
  shape: '(8,1536,2048,16)',
  value,
  unit,
  spread,
});

describe('higherIsBetter', () => {
  it.each([
    ['GB/s', true],
    ['GFLOP/s', true],
    ['MB/s', true],
    ['tok/s', true],
    ['x', true],
    ['ms', false],
    ['us', false],
    ['s', false],
    ['bytes', undefined],
  ])('%s -> %s', (unit, expected) => {
    expect(higherIsBetter(unit)).toBe(expected);
  });
});

describe('compareRows', () => {
  it('flags a throughput drop beyond the 5% floor as a regression', () => {
    const c = compareRows(row(100, 'GB/s', 0.005), row(90, 'GB/s', 0.005));
    expect(c.ratio).toBeCloseTo(0.9);
    expect(c.noise).toBe(0.05);
    expect(c.verdict).toBe('regression');
  });

  it('treats a drop within 3 MAD spreads of each run as noise', () => {
    const c = compareRows(row(100, 'GB/s', 0.02), row(90, 'GB/s', 0.02));
    expect(c.noise).toBeCloseTo(0.12);
    expect(c.verdict).toBe('same');
  });

  it('weighs (max - min) spreads of schema-1 runs once', () => {
    const c = compareRows(row(100, 'GB/s', 0.08), row(90, 'GB/s', 0.02), { old: 1, new: 3 });
    expect(c.noise).toBeCloseTo(0.14);
    expect(c.verdict).toBe('same');
  });

  it('orients times: a larger ms is the regression, a smaller one the improvement', () => {
    expect(compareRows(row(2, 'ms'), row(2.4, 'ms')).verdict).toBe('regression');
    const faster = compareRows(row(2, 'ms'), row(1, 'ms'));
    expect(faster.ratio).toBe(0.5);
    expect(faster.gain).toBe(2);
    expect(faster.verdict).toBe('improvement');
  });

  it('does not judge units of unknown direction or changed units', () => {
    expect(compareRows(row(1, 'bytes'), row(2, 'bytes')).verdict).toBe('unknown-unit');
    expect(compareRows(row(1, 'ms'), row(2, 'GB/s')).verdict).toBe('unknown-unit');
  });
});

describe('compareResults', () => {
  it('matches rows by suite, name and shape and lists the rest', () => {
    const old = syntheticResult();
    const changed = syntheticResult(
      old.rows
        .filter((r) => r.name !== 'silu')
        .map((r) =>
          r.name === 'scan/v2-chunked' && r.shape === '(8,1536,2048,16)' ? { ...r, value: r.value * 0.7 } : r,
        ),
    );
    changed.rows.push({ suite: 'ops', name: 'rmsnorm', shape: '(8,1536)', value: 1, unit: 'GB/s' });
    const outcome = compareResults(old, changed);
    expect(outcome.matched).toHaveLength(old.rows.length - 1);
    expect(outcome.onlyOld.map((r) => r.name)).toEqual(['silu']);
    expect(outcome.onlyNew.map((r) => r.name)).toEqual(['rmsnorm']);
    const regressions = outcome.matched.filter((c) => c.verdict === 'regression');
    expect(regressions.map((c) => `${c.name} ${c.shape}`)).toEqual(['scan/v2-chunked (8,1536,2048,16)']);

    const text = formatComparison(old, changed, outcome).join('\n');
    expect(text).toMatch(/scan\/v2-chunked +\(8,1536,2048,16\) +1250 +875 +GB\/s +0.700 +±18.0% +REGRESSION/);
    expect(text).toContain('only in old (1):');
    expect(text).toContain('only in new (1):');
    expect(text).toContain(`${old.rows.length - 1} matched: 1 regressions, 0 improvements`);
  });

  it('reads the noise factor from what the spread means, and says when the runs differ', () => {
    const old = syntheticResult();
    old.schema = 1;
    old.meta.spread = undefined;
    const now = syntheticResult();
    expect(noiseSpreads(old)).toBe(1);
    expect(noiseSpreads(now)).toBe(3);
    const outcome = compareResults(old, now);
    // v2-chunked (8,1536,2048,16): spreads 0.03 and 0.03 -> 1 x 0.03 + 3 x 0.03.
    const v2 = outcome.matched.find((c) => c.name === 'scan/v2-chunked' && c.shape === '(8,1536,2048,16)');
    expect(v2?.noise).toBeCloseTo(0.12);
    expect(formatComparison(old, now, outcome).join('\n')).toContain(
      'note: the spreads mean different things (old: (max - min) / median, new: median absolute deviation / median)',
    );
  });

  it('warns when the runs used different adapters', () => {
    const a = syntheticResult();
    const b = syntheticResult();
    b.meta.adapter = null;
    expect(formatComparison(a, b, compareResults(a, b)).join('\n')).toContain('different adapters');
  });
});
