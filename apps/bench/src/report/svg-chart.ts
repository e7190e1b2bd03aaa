// A small grouped bar chart drawn as inline SVG (no library, no script): categories along x,
// one bar per series in each category (reference series, e.g. the official CUDA stack, drawn as
// grey dashed bars), a linear or log value axis (chart-scale.ts), optional horizontal reference
// lines (the copy ceiling, an official figure) and a legend that wraps. Text is measured by an
// estimate of its width so that labels and legend stay inside the drawing.
import { type AxisScale, shortNumber, valueAxis } from './chart-scale.js';

export { niceTicks, shortNumber } from './chart-scale.js';

export interface ChartSeries {
  name: string;
  /** One value per category; undefined leaves a gap. */
  values: (number | undefined)[];
  /** Tooltip lines per category (e.g. the spread). */
  notes?: (string | undefined)[];
  /** A reference to compare against (the anchors), not a measurement of this run. */
  reference?: boolean;
}

export interface ReferenceLine {
  value: number;
  label: string;
  /** Line and label colour (default dark red, the copy ceiling's). */
  color?: string;
}

export interface BarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: ChartSeries[];
  referenceLines?: ReferenceLine[];
  /** `auto` (default): log where the positive values span LOG_AXIS_SPAN or more. */
  scale?: AxisScale;
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
  '#1b3d6e',
  '#a35d12',
  '#2d5e37',
  '#7d2f2c',
  '#b3a2d1',
  '#2a7286',
  '#d1c06e',
  '#3f3f3f',
];
const REFERENCE_COLOR = '#b22222';
/** Reference bars: light grey with a dashed dark outline. */
const REFERENCE_BAR = 'fill="#d4d4d4" stroke="#444" stroke-width="1" stroke-dasharray="3 2"';
/** The label angle when category labels do not fit side by side. */
const LABEL_ANGLE = 35;
const MAX_LABEL_CHARS = 40;

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An upper estimate of the width in px of `text` at `fontSize` (sans-serif, e.g. DejaVu Sans). */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.62;
}

/** `text` cut to `max` characters with an ellipsis. */
function clip(text: string, max: number): string {
  return [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
}

const fmt = (n: number) => +n.toFixed(1);

interface LegendItem {
  name: string;
  fill: string;
  x: number;
  row: number;
}

/** Lays the legend out in rows that fit `width`, from x = 10. */
function legendLayout(spec: BarChartSpec, width: number): { items: LegendItem[]; rows: number } {
  if (spec.series.length < 2) return { items: [], rows: 0 };
  const items: LegendItem[] = [];
  let x = 10;
  let row = 0;
  spec.series.forEach((series, si) => {
    const name = clip(series.name, 60);
    const w = 16 + textWidth(name, 11) + 14;
    if (x > 10 && x + w > width - 10) {
      row++;
      x = 10;
    }
    items.push({ name, fill: barFill(series, si), x, row });
    x += w;
  });
  return { items, rows: row + 1 };
}

function barFill(series: ChartSeries, index: number): string {
  return series.reference ? REFERENCE_BAR : `fill="${PALETTE[index % PALETTE.length]}"`;
}

interface Frame {
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  height: number;
  rotate: boolean;
  labels: string[];
}

/** Margins that keep the legend, the category labels and the axis labels inside the drawing. */
function frame(spec: BarChartSpec, width: number, legendRows: number): Frame {
  const labels = spec.categories.map((c) => clip(c, MAX_LABEL_CHARS));
  const widths = labels.map((l) => textWidth(l, 11));
  const count = Math.max(1, labels.length);
  let left = 70;
  const right = 20;
  const bandAt = (l: number) => (width - l - right) / count;
  const rotate = widths.some((w) => w > bandAt(left) - 8);
  const sin = Math.sin((LABEL_ANGLE * Math.PI) / 180);
  const cos = Math.cos((LABEL_ANGLE * Math.PI) / 180);
  // A rotated label ends under its bar group and reaches left: the first must not leave the chart.
  const firstReach = rotate ? cos * (widths[0] ?? 0) : (widths[0] ?? 0) / 2;
  left = Math.max(left, Math.ceil(firstReach - bandAt(left) / 2 + 14));
  const bottom = rotate ? Math.ceil(16 + sin * Math.max(0, ...widths) + 30) : 52;
  const top = 36 + legendRows * 18 + 14;
  const height = Math.max(spec.height ?? 340, top + bottom + 180);
  return { left, top, plotW: width - left - right, plotH: height - top - bottom, height, rotate, labels };
}

/** The chart as an `<svg class="chart">` element string. */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 760;
  const legend = legendLayout(spec, width);
  const f = frame(spec, width, legend.rows);
  const { left, top, plotW, plotH, height } = f;
  const values = spec.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  const refs = spec.referenceLines ?? [];
  const axis = valueAxis([...values, ...refs.map((r) => r.value)], spec.scale);
  const bottomY = top + plotH;
  const y = (v: number) => bottomY - axis.fraction(v) * plotH;
  const yLabel = axis.log ? `${spec.yLabel} (log scale)` : spec.yLabel;
  const parts: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="chart-title" x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(clip(spec.title, Math.floor(width / 9)))}</text>`,
  ];
  for (const t of axis.ticks) {
    const ty = fmt(y(t));
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${ty + 4}" text-anchor="end" font-size="11">${shortNumber(t)}</text>`,
    );
  }
  const midY = top + plotH / 2;
  parts.push(
    `<text x="16" y="${midY}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${midY})">${escapeXml(yLabel)}</text>`,
  );
  parts.push(...bars(spec, f, y, yLabel));
  for (const ref of refs) {
    const ry = fmt(y(ref.value));
    const color = ref.color ?? REFERENCE_COLOR;
    parts.push(
      `<line class="reference" x1="${left}" x2="${left + plotW}" y1="${ry}" y2="${ry}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${left + plotW - 4}" y="${ry - 5}" text-anchor="end" font-size="11" fill="${color}">${escapeXml(`${ref.label}: ${shortNumber(ref.value)}`)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottomY}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${bottomY}" y2="${bottomY}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escapeXml(spec.xLabel)}</text>`,
  );
  for (const item of legend.items) {
    const ly = 32 + item.row * 18;
    parts.push(
      `<rect x="${fmt(item.x)}" y="${ly}" width="12" height="12" ${item.fill}/>`,
      `<text class="legend" x="${fmt(item.x + 16)}" y="${ly + 10}" font-size="11">${escapeXml(item.name)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The bars with their value labels and tooltips, and the category labels. */
function bars(spec: BarChartSpec, f: Frame, y: (v: number) => number, yLabel: string): string[] {
  const parts: string[] = [];
  const band = f.plotW / Math.max(1, spec.categories.length);
  const barW = Math.min((band * 0.8) / Math.max(1, spec.series.length), 90);
  const groupW = barW * Math.max(1, spec.series.length);
  const bottomY = f.top + f.plotH;
  spec.categories.forEach((category, ci) => {
    const x0 = f.left + ci * band + (band - groupW) / 2;
    spec.series.forEach((series, si) => {
      const v = series.values[ci];
      if (v === undefined || !Number.isFinite(v)) return;
      const x = fmt(x0 + si * barW + barW * 0.05);
      const w = fmt(barW * 0.9);
      const by = fmt(y(v));
      const h = fmt(bottomY - by);
      const note = series.notes?.[ci];
      const tip = `${series.name} @ ${category}: ${shortNumber(v)} ${yLabel}${note ? ` (${note})` : ''}`;
      const cls = series.reference ? 'bar reference-bar' : 'bar';
      parts.push(
        `<rect class="${cls}" x="${x}" y="${by}" width="${w}" height="${Math.max(h, 0.5)}" ${barFill(series, si)}><title>${escapeXml(tip)}</title></rect>`,
      );
      if (barW >= 18) {
        parts.push(
          `<text x="${fmt(x + w / 2)}" y="${fmt(by - 3)}" text-anchor="middle" font-size="10" fill="#333">${shortNumber(v)}</text>`,
        );
      }
    });
    const cx = fmt(f.left + ci * band + band / 2);
    const ly = bottomY + 16;
    const label = escapeXml(f.labels[ci]!);
    const full = f.labels[ci] === category ? '' : `<title>${escapeXml(category)}</title>`;
    parts.push(
      f.rotate
        ? `<text class="category" x="${cx}" y="${ly}" text-anchor="end" font-size="11" transform="rotate(-${LABEL_ANGLE} ${cx} ${ly})">${full}${label}</text>`
        : `<text class="category" x="${cx}" y="${ly}" text-anchor="middle" font-size="11">${full}${label}</text>`,
    );
  });
  return parts;
}
