// Text output of the bench: numbers with sensible precision, aligned tables, the summary table
// grouped by suite, byte sizes for limits.
import type { BenchRow } from './types.js';

/** A figure with 3-4 significant digits (1234, 123.4, 12.34, 1.234, 0.0123); integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (Number.isInteger(value) && abs < 1e6) return String(value);
  if (abs >= 1e6) return value.toExponential(2);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}

/** A relative spread as `±3.2%` (empty when absent). */
export function formatSpread(spread: number | undefined): string {
  if (spread === undefined || !Number.isFinite(spread)) return '';
  return `±${(spread * 100).toFixed(1)}%`;
}

/** Bytes in binary units: `2 GiB`, `48 KiB`, `1000 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}

/** Extra columns as `k=v k=v`, numbers formatted. */
export function formatExtra(extra: BenchRow['extra']): string {
  if (!extra) return '';
  return Object.entries(extra)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(' ');
}

export type Align = 'left' | 'right';

/**
 * Lays out rows of cells as aligned columns separated by two spaces; trailing blanks trimmed.
 * `align[i]` applies to column i (default left).
 */
export function formatTable(rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - displayWidth(cell));
        return align[i] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** Terminal width of a string (code points; the bench prints no wide characters). */
function displayWidth(text: string): number {
  return [...text].length;
}

/**
 * The summary table: one block per suite (in first-seen order) with columns name, shape,
 * value + unit, ±spread, extras; value columns aligned across all suites.
 */
export function formatSummary(rows: readonly BenchRow[]): string[] {
  if (rows.length === 0) return ['(no rows)'];
  const suites = [...new Set(rows.map((r) => r.suite))];
  const cells: string[][] = [['name', 'shape', 'value', 'unit', 'spread', 'extra']];
  const headings = new Map<number, string>();
  for (const suite of suites) {
    headings.set(cells.length, suite);
    for (const r of rows.filter((row) => row.suite === suite)) {
      cells.push([
        r.name,
        r.shape,
        formatNumber(r.value),
        r.unit,
        formatSpread(r.spread),
        formatExtra(r.extra),
      ]);
    }
  }
  const lines = formatTable(cells, ['left', 'left', 'right', 'left', 'right', 'left']);
  const out: string[] = [];
  lines.forEach((line, i) => {
    const heading = headings.get(i);
    if (heading !== undefined) out.push(`[${heading}]`);
    out.push(`  ${line}`);
  });
  return out;
}

/**
 * Every row as a Markdown table under a one-line header (adapter, commit, date): for
 * docs/benchmarks and the README.
 */
export function formatMarkdown(result: {
  meta: { date: string; gitCommit: string; sizing: string; adapter: { summary: string } | null };
  rows: readonly BenchRow[];
}): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const m = result.meta;
  const lines = [
    `Adapter: ${m.adapter?.summary ?? 'none'}; commit \`${m.gitCommit.slice(0, 12)}\`; ${m.date}; sizing ${m.sizing}.`,
    '',
    '| suite | name | shape | value | unit | spread | extra |',
    '| --- | --- | --- | ---: | --- | ---: | --- |',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${[r.suite, r.name, r.shape, formatNumber(r.value), r.unit, formatSpread(r.spread), formatExtra(r.extra)].map(cell).join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
