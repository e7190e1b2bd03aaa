import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatExtra,
  formatNumber,
  formatSpread,
  formatSummary,
  formatTable,
  significant,
} from './format.js';
import type { BenchRow } from './types.js';

describe('number formatting', () => {
  it.each([
    [0, '0'],
    [4123.6, '4124'],
    [123.45, '123.5'],
    [12.345, '12.35'],
    [1.2345, '1.234'],
    [0.012345, '0.0123'],
    [-2.5, '-2.500'],
    [16, '16'],
    [4100, '4100'],
    [12_345_678, '1.23e+7'],
    [Number.NaN, 'NaN'],
  ])('formatNumber(%d) = %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('rounds to 3 significant digits without turning 0.4 GB/s into 0', () => {
    expect(significant(4013.5)).toBe(4014);
    expect(significant(563.27)).toBe(563);
    expect(significant(0.45678)).toBe(0.457);
    expect(significant(0.0834)).toBe(0.0834);
  });

  it('formats spreads, bytes and extras', () => {
    expect(formatSpread(0.0321)).toBe('±3.2%');
    expect(formatSpread(undefined)).toBe('');
    expect(formatBytes(2 ** 31)).toBe('2 GiB');
    expect(formatBytes(49152)).toBe('48 KiB');
    expect(formatBytes(1000)).toBe('1000 B');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5 MiB');
    expect(formatExtra({ ms: 2.91234, kernel: 'v2' })).toBe('ms=2.912 kernel=v2');
    expect(formatExtra(undefined)).toBe('');
  });
});

describe('formatTable', () => {
  it('aligns columns left or right and trims trailing blanks', () => {
    const lines = formatTable(
      [
        ['a', '1', ''],
        ['long name', '1234', 'x'],
      ],
      ['left', 'right'],
    );
    expect(lines).toEqual(['a             1', 'long name  1234  x']);
  });
});

describe('formatSummary', () => {
  const rows: BenchRow[] = [
    {
      suite: 'scan',
      name: 'scan/v1-sequential',
      shape: '(8,1536,2048,16)',
      value: 140.2,
      unit: 'GB/s',
      spread: 0.031,
    },
    { suite: 'scan', name: 'copy', shape: '256 MB', value: 4100, unit: 'GB/s' },
    {
      suite: 'model',
      name: 'decode',
      shape: 'batch=8',
      value: 512.3,
      unit: 'tok/s',
      spread: 0.1,
      extra: { ms: 15.6 },
    },
  ];

  it('groups rows under a heading per suite with a header line', () => {
    const lines = formatSummary(rows);
    expect(lines[0]).toMatch(/^ {2}name +shape +value +unit +spread +extra$/);
    expect(lines[1]).toBe('[scan]');
    expect(lines.indexOf('[model]')).toBe(4);
    expect(lines[5]).toContain('ms=15.60');
  });

  it('right-aligns values and spreads in one column across suites', () => {
    const lines = formatSummary(rows).filter((l) => l.startsWith('  ') && !l.includes('name'));
    const valueEnds = lines.map(
      (l, i) => l.indexOf(formatNumber(rows[i]!.value)) + formatNumber(rows[i]!.value).length,
    );
    expect(new Set(valueEnds).size).toBe(1);
    const spreadEnds = [lines[0]!, lines[2]!].map((l) => l.indexOf('%'));
    expect(spreadEnds[0]).toBe(spreadEnds[1]);
  });

  it('says when there are no rows', () => {
    expect(formatSummary([])).toEqual(['(no rows)']);
  });

  it('adds outliers, official and vs official columns only when a row has them', () => {
    expect(formatSummary(rows)[0]).not.toMatch(/outliers|official/);
    const anchored: BenchRow[] = [
      ...rows,
      {
        suite: 'train',
        name: 'training step',
        shape: 'mamba-130m 8x2048',
        value: 22210,
        unit: 'tok/s',
        spread: 0.012,
        outliers: 2,
        official: { value: 45225, ratio: 0.491, source: 'mamba_ssm f32 training step' },
      },
    ];
    const lines = formatSummary(anchored);
    expect(lines[0]).toMatch(
      /^ {2}name +shape +value +unit +spread +outliers +official +vs official +extra$/,
    );
    expect(lines.at(-1)).toMatch(
      /training step +mamba-130m 8x2048 +22210 +tok\/s +±1\.2% +2 +45225 +0\.49x$/,
    );
  });
});
