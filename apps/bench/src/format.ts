// Text output of the bench: numbers with sensible precision, aligned tables, the row columns the
// table, the Markdown and the HTML report share (official and outlier columns only when some row
// has them), the summary table grouped by suite, byte sizes for limits.
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

/** `value` to 3 significant digits, whole from 1000 up (4013.5 -> 4014, 0.45678 -> 0.457): CPU adapters reach < 1 GB/s. */
export function significant(value: number): number {
  return Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(3));
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

/** What a row's `outliers` counts (summarize() in @mamba-webgpu/tensor). */
export const OUTLIERS_MEANING = 'samples beyond 3 scaled MADs (1.4826 x MAD) and 1% of the median';

/** A speed ratio against the official figure: `1.23x`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/** One column of the row tables. */
export interface RowColumn {
  header: string;
  align: Align;
  cell(row: BenchRow): string;
}

/**
 * The columns of a row table: name, shape, value, unit, spread, then `outliers` when a row has
 * some, `official` and `vs official` when a row has an anchor, and the extras.
 */
export function rowColumns(rows: readonly BenchRow[]): RowColumn[] {
  const columns: RowColumn[] = [
    { header: 'name', align: 'left', cell: (r) => r.name },
    { header: 'shape', align: 'left', cell: (r) => r.shape },
    { header: 'value', align: 'right', cell: (r) => formatNumber(r.value) },
    { header: 'unit', align: 'left', cell: (r) => r.unit },
    { header: 'spread', align: 'right', cell: (r) => formatSpread(r.spread) },
  ];
  if (rows.some((r) => (r.outliers ?? 0) > 0)) {
    columns.push({ header: 'outliers', align: 'right', cell: (r) => (r.outliers ? String(r.outliers) : '') });
  }
  if (rows.some((r) => r.official)) {
    columns.push(
      { header: 'official', align: 'right', cell: (r) => (r.official ? formatNumber(r.official.value) : '') },
      {
        header: 'vs official',
        align: 'right',
        cell: (r) => (r.official ? formatRatio(r.official.ratio) : ''),
      },
    );
  }
  columns.push({ header: 'extra', align: 'left', cell: (r) => formatExtra(r.extra) });
  return columns;
}

/**
 * The summary table: one block per suite (in first-seen order) with the row columns; value
 * columns aligned across all suites.
 */
export function formatSummary(rows: readonly BenchRow[]): string[] {
  if (rows.length === 0) return ['(no rows)'];
  const suites = [...new Set(rows.map((r) => r.suite))];
  const columns = rowColumns(rows);
  const cells: string[][] = [columns.map((c) => c.header)];
  const headings = new Map<number, string>();
  for (const suite of suites) {
    headings.set(cells.length, suite);
    for (const r of rows.filter((row) => row.suite === suite)) cells.push(columns.map((c) => c.cell(r)));
  }
  const lines = formatTable(
    cells,
    columns.map((c) => c.align),
  );
  const out: string[] = [];
  lines.forEach((line, i) => {
    const heading = headings.get(i);
    if (heading !== undefined) out.push(`[${heading}]`);
    out.push(`  ${line}`);
  });
  return out;
}

/**
 * Every row as a Markdown table under a header (adapter, commit, date; what the spread means;
 * the anchors): for docs/benchmarks.
 */
export function formatMarkdown(result: {
  meta: {
    date: string;
    gitCommit: string;
    sizing: string;
    adapter: { summary: string } | null;
    spread?: string;
    anchors?: { note: string };
  };
  rows: readonly BenchRow[];
}): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const m = result.meta;
  const columns = rowColumns(result.rows);
  const lines = [
    `Adapter: ${m.adapter?.summary ?? 'none'}; commit \`${m.gitCommit.slice(0, 12)}\`; ${m.date}; sizing ${m.sizing}.`,
    '',
    `Value: the median; spread: ${m.spread ?? 'median absolute deviation / median'}; outliers: ${OUTLIERS_MEANING}${m.anchors ? `; anchors: ${m.anchors.note}` : ''}.`,
    '',
    `| suite | ${columns.map((c) => c.header).join(' | ')} |`,
    `| --- | ${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const r of result.rows) {
    lines.push(`| ${[r.suite, ...columns.map((c) => c.cell(r))].map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
