// Line charts as self-contained SVG (no library, no script) for the task results: training
// curves (loss and accuracy against steps) and accuracy against length on a log2 axis, several
// series each, dashed reference series or lines (the paper's numbers) and a legend. Browser-safe.

/** One line: points (x, y), drawn in order; a dashed line for references. */
export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

/** A horizontal reference line (e.g. a paper figure). */
export interface HorizontalLine {
  y: number;
  label: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** `log2`: x ticks at powers of two, labelled 2^k. Default linear. */
  xScale?: 'linear' | 'log2';
  /** Fixed y range (default: from the data, including 0). */
  yRange?: readonly [number, number];
  /** y tick labels as percentages (values in [0, 1]). */
  percent?: boolean;
  lines?: readonly HorizontalLine[];
  width?: number;
  height?: number;
}

const COLORS = ['#3b6fb6', '#e08a2c', '#4a9a5b', '#c0504d', '#8064a2', '#4bacc6'];

/** Escapes text for XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** About `count` round ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

const tickLabel = (v: number) =>
  Math.abs(v) >= 1e4 ? `${+(v / 1e3).toPrecision(3)}k` : `${+v.toPrecision(4)}`;

/** The chart as an SVG document. */
export function lineChartSvg(spec: LineChartSpec): string {
  const [w, h] = [spec.width ?? 640, spec.height ?? 360];
  const [left, right, top, bottom] = [60, 170, 34, 44];
  const log = spec.xScale === 'log2';
  const fx = (x: number) => (log ? Math.log2(x) : x);
  const all = spec.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(y) && (!log || x > 0));
  const xs = all.map(([x]) => fx(x));
  const ys = [...all.map(([, y]) => y), ...(spec.lines ?? []).map((l) => l.y)];
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = spec.yRange ?? [Math.min(0, ...ys), Math.max(1e-9, ...ys)];
  const sx = (x: number) => left + ((fx(x) - x0) / (x1 - x0 || 1)) * (w - left - right);
  const sy = (y: number) => top + (1 - (y - y0) / (y1 - y0 || 1)) * (h - top - bottom);
  const yTicks = niceTicks(y0, y1)
    .map((v) => {
      const label = spec.percent ? `${+(v * 100).toPrecision(3)}%` : tickLabel(v);
      return `<line x1="${left}" x2="${w - right}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#e4e4e4"/><text x="${left - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${label}</text>`;
    })
    .join('');
  const xTickValues = log
    ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => 2 ** (Math.ceil(x0) + i))
    : niceTicks(x0, x1);
  const xTicks = xTickValues
    .map((v) => {
      const label = log ? `2<tspan dy="-5" font-size="8">${Math.log2(v)}</tspan>` : tickLabel(v);
      return `<text x="${sx(v).toFixed(1)}" y="${h - bottom + 16}" text-anchor="middle">${label}</text>`;
    })
    .join('');
  const lines = (spec.lines ?? [])
    .map(
      (l) =>
        `<line x1="${left}" x2="${w - right}" y1="${sy(l.y).toFixed(1)}" y2="${sy(l.y).toFixed(1)}" stroke="#b22222" stroke-dasharray="2 3"/><text x="${left + 6}" y="${(sy(l.y) - 4).toFixed(1)}" fill="#b22222" font-size="10">${escapeXml(l.label)}</text>`,
    )
    .join('');
  const paths = spec.series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length]!;
      const pts = s.points.filter(([x, y]) => Number.isFinite(y) && (!log || x > 0));
      const d = pts
        .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join(' ');
      const dots =
        pts.length <= 32
          ? pts
              .map(
                ([x, y]) =>
                  `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`,
              )
              .join('')
          : '';
      const legendY = top + 14 + i * 16;
      return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>${dots}<line x1="${w - right + 8}" x2="${w - right + 26}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${w - right + 30}" y="${legendY}">${escapeXml(s.name)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">
<title>${escapeXml(spec.title)}</title><rect width="${w}" height="${h}" fill="white"/>
<text x="${(left + w - right) / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(spec.title)}</text>
${yTicks}${xTicks}${lines}
<line x1="${left}" x2="${left}" y1="${top}" y2="${h - bottom}" stroke="#888"/><line x1="${left}" x2="${w - right}" y1="${h - bottom}" y2="${h - bottom}" stroke="#888"/>
<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>
<text x="16" y="${h / 2}" text-anchor="middle" transform="rotate(-90 16 ${h / 2})">${escapeXml(spec.yLabel)}</text>
${paths}
</svg>
`;
}
