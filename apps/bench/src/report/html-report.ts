// The HTML report: one self-contained page (inline CSS, inline SVG, no script, no network) with
// the run's metadata, a chart per question the bench answers, and the table of every row.
// Charts are built from rows by suite and unit, and say so when their suite is absent.
import { formatBytes, formatExtra, formatNumber, formatSpread } from '../format.js';
import { KEY_LIMITS, type BenchResult } from '../result.js';
import type { BenchRow } from '../types.js';
import { type ChartSeries, type ReferenceLine, barChart, escapeXml } from './svg-chart.js';

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

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

interface Point {
  name: string;
  shape: string;
  value: number;
  spread?: number;
}

function points(rows: readonly BenchRow[], unit: string, filter: (r: BenchRow) => boolean): Point[] {
  const out: Point[] = [];
  for (const row of rows) {
    if (!filter(row)) continue;
    const m = metricOf(row, unit);
    if (m) out.push({ name: row.name, shape: row.shape, ...m });
  }
  return out;
}

/** Builds series over `categories` from points: `seriesOf(p)` names the series, `categoryOf(p)` the bar group. */
function toSeries(
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
function shapeKey(shapes: string[]): string {
  const keys = unique(shapes.map((s) => /^\s*([A-Za-z_][\w]*)\s*=/.exec(s)?.[1] ?? ''));
  return keys.length === 1 && keys[0] ? keys[0] : 'shape';
}

interface Section {
  id: string;
  title: string;
  intro: string;
  charts: string[];
  /** Shown instead of charts when there is nothing to draw. */
  empty: string;
}

const isCopy = (r: BenchRow) => /copy/i.test(r.name);

/** Copy-kernel bandwidth lines: the copy row of `shape` if there is one, else the fastest copy. */
function copyCeilings(rows: readonly BenchRow[], preferSuite: string, shape?: string): ReferenceLine[] {
  let copies = points(rows, 'GB/s', (r) => r.suite === preferSuite && isCopy(r));
  if (copies.length === 0) copies = points(rows, 'GB/s', isCopy);
  const same = copies.filter((p) => p.shape === shape);
  if (same.length > 0) return [{ value: Math.max(...same.map((p) => p.value)), label: 'copy ceiling' }];
  if (copies.length === 0) return [];
  const best = copies.reduce((a, b) => (b.value > a.value ? b : a));
  return [{ value: best.value, label: `copy ceiling (${best.shape})` }];
}

function scanSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'GB/s', (r) => r.suite === 'scan' && !isCopy(r));
  // One chart per problem shape, each against the copy of the same bytes on the same device.
  const charts = unique(pts.map((p) => p.shape)).map((shape) => {
    const mine = pts.filter((p) => p.shape === shape);
    const categories = unique(mine.map((p) => p.name));
    return barChart({
      title: `Selective scan ${shape}: kernel versions, effective bandwidth`,
      xLabel: 'kernel version',
      yLabel: 'GB/s',
      categories,
      series: toSeries(
        mine,
        categories,
        () => shape,
        (p) => p.name,
      ),
      referenceLines: copyCeilings(rows, 'scan', shape),
    });
  });
  return {
    id: 'scan',
    title: 'Selective scan',
    intro:
      'Bytes the scan must move divided by its time, per kernel version, one chart per shape (batch, dInner, seqLen, dState); the dashed line is what a plain copy kernel reaches on the same device (the ceiling).',
    charts,
    empty: 'No scan rows in GB/s in this result (suite not run, failed, or not written yet).',
  };
}

function modelSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'tok/s', (r) => r.suite === 'model');
  const charts = unique(pts.map((p) => p.name)).map((name) => {
    const mine = pts.filter((p) => p.name === name);
    const categories = unique(mine.map((p) => p.shape)).sort(naturalCompare);
    const key = shapeKey(categories);
    return barChart({
      title: `Model ${name}: tokens per second vs ${key === 'L' ? 'sequence length' : key}`,
      xLabel: key === 'L' ? 'sequence length L' : key,
      yLabel: 'tok/s',
      categories,
      series: toSeries(
        mine,
        categories,
        (p) => p.name,
        (p) => p.shape,
      ),
    });
  });
  return {
    id: 'model',
    title: 'Model',
    intro:
      'End-to-end tokens per second, one chart per measurement (decode against batch size, prefill against sequence length).',
    charts,
    empty: 'No model rows in tok/s in this result (suite not run, failed, or not written yet).',
  };
}

function tokenizerSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'MB/s', (r) => r.suite === 'tokenizer' && !/\/skipped$/.test(r.name));
  // Names like `encode/ours` and `encode/hf-tokenizers`: bars grouped by operation (and input),
  // one colour per implementation. Other names: grouped by input, one colour per name.
  const split = pts.every((p) => p.name.includes('/'));
  const manyShapes = unique(pts.map((p) => p.shape)).length > 1;
  const categoryOf = (p: Point) =>
    split
      ? manyShapes
        ? `${p.name.slice(0, p.name.indexOf('/'))} ${p.shape}`
        : p.name.slice(0, p.name.indexOf('/'))
      : p.shape;
  const seriesOf = (p: Point) => (split ? p.name.slice(p.name.indexOf('/') + 1) : p.name);
  const categories = unique(pts.map(categoryOf));
  const shapes = unique(pts.map((p) => p.shape));
  const charts = pts.length
    ? [
        barChart({
          title: 'Tokenizer throughput: ours vs @huggingface/tokenizers',
          xLabel: split && !manyShapes ? `operation (${shapes[0]})` : 'input',
          yLabel: 'MB/s',
          categories,
          series: toSeries(pts, categories, seriesOf, categoryOf),
        }),
      ]
    : [];
  return {
    id: 'tokenizer',
    title: 'Tokenizer',
    intro:
      'Megabytes of UTF-8 text encoded per second, both implementations measured side by side in the same run.',
    charts,
    empty: 'No tokenizer rows in MB/s in this result (suite not run, failed, or not written yet).',
  };
}

function opsSection(rows: readonly BenchRow[]): Section {
  const charts: string[] = [];
  const flops = points(rows, 'GFLOP/s', (r) => r.suite === 'ops');
  if (flops.length) {
    const categories = unique(flops.map((p) => p.shape));
    charts.push(
      barChart({
        title: 'Ops: matmul throughput',
        xLabel: 'shape',
        yLabel: 'GFLOP/s',
        categories,
        series: toSeries(
          flops,
          categories,
          (p) => p.name,
          (p) => p.shape,
        ),
      }),
    );
  }
  // Only rows whose own unit is GB/s: matmul rows carry GB/s as an extra.
  const bandwidth = points(rows, 'GB/s', (r) => r.suite === 'ops' && !isCopy(r) && r.unit === 'GB/s');
  if (bandwidth.length) {
    const categories = unique(bandwidth.map((p) => p.name));
    charts.push(
      barChart({
        title: 'Ops: memory-bound kernels, effective bandwidth',
        xLabel: 'op',
        yLabel: 'GB/s',
        categories,
        series: toSeries(
          bandwidth,
          categories,
          (p) => p.shape,
          (p) => p.name,
        ),
        referenceLines: copyCeilings(rows, 'ops'),
      }),
    );
  }
  return {
    id: 'ops',
    title: 'Ops',
    intro: 'Core tensor ops: matmul in GFLOP/s, memory-bound ops in GB/s against the copy ceiling.',
    charts,
    empty: 'No ops rows in GFLOP/s or GB/s in this result (suite not run, failed, or not written yet).',
  };
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.rows td:not(:last-child) { white-space: nowrap; }
.ok { color: #2e7d32; } .failed { color: #c62828; } .skipped { color: #8a6d00; }
.empty { color: #777; font-style: italic; }
svg.chart { display: block; margin: 12px 0; border: 1px solid #eee; max-width: 100%; height: auto; }
code { background: #f4f4f4; padding: 1px 4px; }
`;

function limitText(key: string, value: number): string {
  return /Size$/.test(key) ? `${formatBytes(value)} (${value})` : String(value);
}

function metaBlock(result: BenchResult): string {
  const m = result.meta;
  const adapter = m.adapter ? escapeXml(m.adapter.summary) : 'none (only CPU suites ran)';
  const limits = KEY_LIMITS.filter((k) => m.limits[k] !== undefined)
    .map((k) => `<tr><th>${k}</th><td class="num">${escapeXml(limitText(k, m.limits[k]!))}</td></tr>`)
    .join('');
  const suites = result.suites
    .map((s) => {
      const state = s.ok ? 'ok' : s.skipped ? 'skipped' : 'failed';
      const detail = s.ok ? `${s.rows} rows` : escapeXml(s.error ?? s.skipped ?? '');
      return `<tr><td>${escapeXml(s.name)}</td><td class="${state}">${state}</td><td class="num">${s.seconds.toFixed(1)} s</td><td>${detail}</td></tr>`;
    })
    .join('');
  return `
<p class="meta">${escapeXml(m.date)} &middot; commit <code>${escapeXml(m.gitCommit)}</code> &middot; node ${escapeXml(m.node)} &middot; ${escapeXml(m.platform)} &middot; sizing <b>${escapeXml(m.sizing)}</b>, budget ${m.budgetSeconds} s per suite</p>
<p class="meta">Adapter: <b>${adapter}</b></p>
<p class="meta">Features: ${escapeXml(m.features.join(', ') || 'none')}</p>
<p class="meta">Command: <code>mamba-bench ${escapeXml(m.argv.join(' '))}</code></p>
${limits ? `<table class="limits"><tbody>${limits}</tbody></table>` : ''}
<h2 id="suites">Suites</h2>
<table class="suites"><thead><tr><th>suite</th><th>status</th><th>time</th><th>detail</th></tr></thead><tbody>${suites}</tbody></table>`;
}

function rowsTable(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return '<p class="empty">No rows.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeXml(r.suite)}</td><td>${escapeXml(r.name)}</td><td>${escapeXml(r.shape)}</td><td class="num">${formatNumber(r.value)}</td><td>${escapeXml(r.unit)}</td><td class="num">${formatSpread(r.spread)}</td><td>${escapeXml(formatExtra(r.extra))}</td></tr>`,
    )
    .join('\n');
  return `<table class="rows"><thead><tr><th>suite</th><th>name</th><th>shape</th><th>value</th><th>unit</th><th>spread</th><th>extra</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The complete report page for a result. */
export function renderReport(result: BenchResult): string {
  const sections = [
    scanSection(result.rows),
    modelSection(result.rows),
    tokenizerSection(result.rows),
    opsSection(result.rows),
  ];
  const body = sections
    .map(
      (s) =>
        `<section id="${s.id}"><h2>${escapeXml(s.title)}</h2><p>${escapeXml(s.intro)}</p>\n${
          s.charts.length ? s.charts.join('\n') : `<p class="empty">${escapeXml(s.empty)}</p>`
        }</section>`,
    )
    .join('\n');
  const title = `mamba-webgpu bench: ${result.meta.adapter?.device || result.meta.adapter?.vendor || 'no adapter'} (${result.meta.date.slice(0, 10)})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${metaBlock(result)}
${body}
<h2 id="rows">All rows</h2>
<p>Value is the median over repetitions; spread is (max &minus; min) / median.</p>
${rowsTable(result.rows)}
</body>
</html>
`;
}
