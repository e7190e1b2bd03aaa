// The HTML report: one self-contained page (inline CSS, inline SVG, no script, no network) with
// the run's metadata and anchors, a section of charts per question the bench answers
// (sections.ts; the official figures drawn beside ours on the anchors' GPU), and every row.
import { OUTLIERS_MEANING, formatBytes, rowColumns } from '../format.js';
import { type BenchResult, KEY_LIMITS, SPREAD_MEANING } from '../result.js';
import type { BenchRow } from '../types.js';
import { reportSections } from './sections.js';
import { escapeXml } from './svg-chart.js';

export { metricOf, naturalCompare } from './chart-data.js';

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
<p class="meta">Anchors: ${escapeXml(m.anchors?.note ?? 'not recorded in this result')}</p>
<p class="meta">Features: ${escapeXml(m.features.join(', ') || 'none')}</p>
<p class="meta">Command: <code>mamba-bench ${escapeXml(m.argv.join(' '))}</code></p>
${limits ? `<table class="limits"><tbody>${limits}</tbody></table>` : ''}
<h2 id="suites">Suites</h2>
<table class="suites"><thead><tr><th>suite</th><th>status</th><th>time</th><th>detail</th></tr></thead><tbody>${suites}</tbody></table>`;
}

function rowsTable(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return '<p class="empty">No rows.</p>';
  const columns = rowColumns(rows);
  const numeric = new Set(['value', 'spread', 'outliers', 'official', 'vs official']);
  const td = (header: string, text: string) =>
    `<td${numeric.has(header) ? ' class="num"' : ''}>${escapeXml(text)}</td>`;
  const body = rows
    .map(
      (r) => `<tr><td>${escapeXml(r.suite)}</td>${columns.map((c) => td(c.header, c.cell(r))).join('')}</tr>`,
    )
    .join('\n');
  const head = ['suite', ...columns.map((c) => c.header)].map((h) => `<th>${escapeXml(h)}</th>`).join('');
  return `<table class="rows"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The complete report page for a result. */
export function renderReport(result: BenchResult): string {
  const sections = reportSections(result.rows);
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
<p>Value is the median over repetitions; spread is the ${escapeXml(result.meta.spread ?? SPREAD_MEANING[result.schema])}; outliers: ${escapeXml(OUTLIERS_MEANING)}.</p>
${rowsTable(result.rows)}
</body>
</html>
`;
}
