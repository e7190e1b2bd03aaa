// A small grouped bar chart drawn as inline SVG (no library, no script): categories along x,
// one bar per series in each category, labelled axes with round ticks, optional horizontal
// reference lines (e.g. the copy-bandwidth ceiling) and a legend.

export interface ChartSeries {
  name: string;
  /** One value per category; undefined leaves a gap. */
  values: (number | undefined)[];
  /** Tooltip lines per category (e.g. the spread). */
  notes?: (string | undefined)[];
}

export interface ReferenceLine {
  value: number;
  label: string;
}

export interface BarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: ChartSeries[];
  referenceLines?: ReferenceLine[];
  width?: number;
  height?: number;
}

export const PALETTE = [
  '#3b6fb6',
  '#e08a2c',
  '#4a9a5b',
  '#c0504d',
  '#8064a2',
  '#4bacc6',
  '#9b8b3c',
  '#7f7f7f',
];
const REFERENCE_COLOR = '#b22222';

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number for tick labels and bar labels: 4100 -> `4.1k`, 0.25 -> `0.25`. */
export function shortNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${+(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${+(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  return `${+value.toPrecision(3)}`;
}

/** Round tick values from 0 to at least `max` (about `count` of them, steps 1/2/5 x 10^n). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = +(i * step).toPrecision(12);
    ticks.push(t);
    if (t >= max) break;
  }
  return ticks;
}

const fmt = (n: number) => +n.toFixed(1);

/** The chart as an `<svg class="chart">` element string. */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 760;
  const height = spec.height ?? 340;
  const maxLabel = Math.max(0, ...spec.categories.map((c) => c.length));
  const rotate = spec.categories.length * Math.max(6, maxLabel) * 7 > width - 90;
  const legendRows = spec.series.length > 1 ? 1 : 0;
  const margin = {
    top: 40 + legendRows * 18,
    right: 20,
    bottom: rotate ? 40 + Math.min(90, maxLabel * 5) : 52,
    left: 70,
  };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const values = spec.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  const refs = spec.referenceLines ?? [];
  const ticks = niceTicks(Math.max(0, ...values, ...refs.map((r) => r.value)));
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => margin.top + plotH - (Math.max(0, v) / top) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
  );
  parts.push(`<title>${escapeXml(spec.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(spec.title)}</text>`,
  );
  // y axis: grid, ticks, label
  for (const t of ticks) {
    const ty = fmt(y(t));
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${ty}" y2="${ty}" stroke="#e3e3e3"/>`,
      `<text x="${margin.left - 6}" y="${ty + 4}" text-anchor="end" font-size="11">${shortNumber(t)}</text>`,
    );
  }
  const midY = margin.top + plotH / 2;
  parts.push(
    `<text x="16" y="${midY}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${midY})">${escapeXml(spec.yLabel)}</text>`,
  );
  // bars
  const band = plotW / Math.max(1, spec.categories.length);
  const barW = Math.min((band * 0.8) / Math.max(1, spec.series.length), 90);
  const groupW = barW * Math.max(1, spec.series.length);
  spec.categories.forEach((category, ci) => {
    const x0 = margin.left + ci * band + (band - groupW) / 2;
    spec.series.forEach((series, si) => {
      const v = series.values[ci];
      if (v === undefined || !Number.isFinite(v)) return;
      const x = fmt(x0 + si * barW + barW * 0.05);
      const w = fmt(barW * 0.9);
      const by = fmt(y(v));
      const h = fmt(margin.top + plotH - by);
      const note = series.notes?.[ci];
      const tip = `${series.name} @ ${category}: ${shortNumber(v)} ${spec.yLabel}${note ? ` (${note})` : ''}`;
      parts.push(
        `<rect class="bar" x="${x}" y="${by}" width="${w}" height="${Math.max(h, 0.5)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(tip)}</title></rect>`,
      );
      if (barW >= 18) {
        parts.push(
          `<text x="${fmt(x + w / 2)}" y="${fmt(by - 3)}" text-anchor="middle" font-size="10" fill="#333">${shortNumber(v)}</text>`,
        );
      }
    });
    const cx = fmt(margin.left + ci * band + band / 2);
    const ly = margin.top + plotH + 16;
    parts.push(
      rotate
        ? `<text x="${cx}" y="${ly}" text-anchor="end" font-size="11" transform="rotate(-35 ${cx} ${ly})">${escapeXml(category)}</text>`
        : `<text x="${cx}" y="${ly}" text-anchor="middle" font-size="11">${escapeXml(category)}</text>`,
    );
  });
  // reference lines on top of the bars
  for (const ref of refs) {
    const ry = fmt(y(ref.value));
    parts.push(
      `<line class="reference" x1="${margin.left}" x2="${margin.left + plotW}" y1="${ry}" y2="${ry}" stroke="${REFERENCE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${margin.left + plotW - 4}" y="${ry - 5}" text-anchor="end" font-size="11" fill="${REFERENCE_COLOR}">${escapeXml(`${ref.label}: ${shortNumber(ref.value)}`)}</text>`,
    );
  }
  // axes and x label
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escapeXml(spec.xLabel)}</text>`,
  );
  // legend
  if (legendRows) {
    let lx = margin.left;
    spec.series.forEach((series, si) => {
      parts.push(
        `<rect x="${lx}" y="32" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`,
        `<text x="${lx + 16}" y="42" font-size="11">${escapeXml(series.name)}</text>`,
      );
      lx += 28 + series.name.length * 6.5;
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}
