// The data side of the report's charts: a row's figure in a unit (its value or a same-named
// extra), points and series by suite, the official figures as a reference series, and the
// reference lines (copy ceiling, official scan kernel in GB/s).
import { formatSpread } from '../format.js';
import type { BenchRow } from '../types.js';
import type { ChartSeries, ReferenceLine } from './svg-chart.js';

/** A row's figure in `unit`: its value when that is its unit, else a numeric extra of that name. */
export function metricOf(row: BenchRow, unit: string): { value: number; spread?: number } | undefined {
  const norm = (u: string) => u.trim().toLowerCase();
  if (norm(row.unit) === norm(unit)) return { value: row.value, spread: row.spread };
  const extra = Object.entries(row.extra ?? {}).find(([k]) => norm(k) === norm(unit))?.[1];
  return typeof extra === 'number' && Number.isFinite(extra)
    ? { value: extra, spread: row.spread }
    : undefined;
}

/** Compares shapes by their numbers (`batch=2` < `batch=16`), then as text. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The distinct values in first-seen order. */
export function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** One figure of a chart: a row's name and shape, its value in the chart's unit, and the anchor's. */
export interface Point {
  name: string;
  shape: string;
  value: number;
  spread?: number;
  /** The official figure in the same unit (when the row's own unit is the chart's). */
  official?: number;
  officialSource?: string;
}

export function points(rows: readonly BenchRow[], unit: string, filter: (r: BenchRow) => boolean): Point[] {
  const out: Point[] = [];
  for (const row of rows) {
    if (!filter(row)) continue;
    const m = metricOf(row, unit);
    if (!m) continue;
    const own = row.unit.trim().toLowerCase() === unit.trim().toLowerCase();
    out.push({
      name: row.name,
      shape: row.shape,
      ...m,
      ...(own && row.official ? { official: row.official.value, officialSource: row.official.source } : {}),
    });
  }
  return out;
}

/** The words all `texts` start with (`mamba_ssm selective_scan_cuda` of its fwd and bwd), or the one text. */
function commonWords(texts: string[]): string {
  const words = texts.map((t) => t.split(' '));
  const common: string[] = [];
  for (let i = 0; words.every((w) => i < w.length && w[i] === words[0]![i]); i++) common.push(words[0]![i]!);
  return common.join(' ') || texts.join('; ');
}

/**
 * The official figures of `pts` as one reference series over `categories` (none when no point has
 * one), named after their source.
 */
export function officialSeries(
  pts: Point[],
  categories: string[],
  categoryOf: (p: Point) => string,
): ChartSeries[] {
  const withOfficial = pts.filter((p) => p.official !== undefined);
  if (withOfficial.length === 0) return [];
  const sources = unique(withOfficial.map((p) => p.officialSource ?? 'official'));
  return [
    {
      name: `official: ${commonWords(sources)}`,
      reference: true,
      values: categories.map((c) => withOfficial.find((p) => categoryOf(p) === c)?.official),
    },
  ];
}

/** Our points as one `mamba-webgpu` series over `categories`, and the official one beside it (if any). */
export function oursAndOfficial(
  pts: Point[],
  categories: string[],
  categoryOf: (p: Point) => string,
): ChartSeries[] {
  return [
    ...toSeries(pts, categories, () => 'mamba-webgpu', categoryOf),
    ...officialSeries(pts, categories, categoryOf),
  ];
}

/** Builds series over `categories` from points: `seriesOf(p)` names the series, `categoryOf(p)` the bar group. */
export function toSeries(
  pts: Point[],
  categories: string[],
  seriesOf: (p: Point) => string,
  categoryOf: (p: Point) => string,
): ChartSeries[] {
  return unique(pts.map(seriesOf)).map((name) => {
    const mine = pts.filter((p) => seriesOf(p) === name);
    const at = (c: string) => mine.find((p) => categoryOf(p) === c);
    return {
      name,
      values: categories.map((c) => at(c)?.value),
      notes: categories.map((c) => {
        const s = at(c)?.spread;
        return s === undefined ? undefined : `spread ${formatSpread(s)}`;
      }),
    };
  });
}

/** The common `key` of shapes like `batch=8` (`batch`), else `shape`. */
export function shapeKey(shapes: string[]): string {
  const keys = unique(shapes.map((s) => /^\s*([A-Za-z_][\w]*)\s*=/.exec(s)?.[1] ?? ''));
  return keys.length === 1 && keys[0] ? keys[0] : 'shape';
}

export const isCopy = (r: BenchRow) => /copy/i.test(r.name);

/** Copy-kernel bandwidth lines: the copy row of `shape` if there is one, else the fastest copy. */
export function copyCeilings(
  rows: readonly BenchRow[],
  preferSuite: string,
  shape?: string,
): ReferenceLine[] {
  let copies = points(rows, 'GB/s', (r) => r.suite === preferSuite && isCopy(r));
  if (copies.length === 0) copies = points(rows, 'GB/s', isCopy);
  const same = copies.filter((p) => p.shape === shape);
  if (same.length > 0) return [{ value: Math.max(...same.map((p) => p.value)), label: 'copy ceiling' }];
  if (copies.length === 0) return [];
  const best = copies.reduce((a, b) => (b.value > a.value ? b : a));
  return [{ value: best.value, label: `copy ceiling (${best.shape})` }];
}

/** The official scan kernel of `shape` as a GB/s line: the same bytes over the official ms. */
export function officialScanLine(rows: readonly BenchRow[], shape: string): ReferenceLine[] {
  const row = rows.find(
    (r) =>
      r.suite === 'scan' &&
      r.shape === shape &&
      r.unit === 'ms' &&
      r.official &&
      typeof r.extra?.['GB/s'] === 'number',
  );
  if (!row?.official) return [];
  const gbs = ((row.extra!['GB/s'] as number) * row.value) / row.official.value;
  return [{ value: gbs, label: `official ${row.official.source}`, color: '#222222' }];
}
