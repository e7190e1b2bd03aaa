// Line charts as plain SVG drawn by the page (no chart library: a few paths, axes and ticks are
// all the Train page needs, and redrawing them every step costs well under a millisecond).
// `chartGeometry` is the pure part (scales, nice ticks, path data; unit-tested);
// `drawChart` writes it into an <svg>.

/** One line of a chart: (x, y) points in x order. */
export interface Series {
  /** CSS class of the path (colour, width, dash). */
  className: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  width: number;
  height: number;
  /** Fixed y range; default: the data's range, padded. */
  yMin?: number;
  yMax?: number;
  /** The x axis reaches at least this far (e.g. the run's step count). */
  xMax?: number;
  /** Horizontal reference lines (e.g. chance accuracy). */
  references?: readonly { y: number; label: string }[];
  /** Tick labels. */
  formatY?: (value: number) => string;
}

/** A tick: its value and its position in pixels. */
export interface Tick {
  value: number;
  at: number;
}

export interface ChartGeometry {
  /** The plot area inside the margins. */
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: Tick[];
  yTicks: Tick[];
  paths: { className: string; d: string }[];
  references: { label: string; at: number }[];
}

const MARGIN = { left: 44, right: 10, top: 8, bottom: 22 };
/** At most this many points per path (more are thinned to every k-th, keeping the last). */
export const MAX_PATH_POINTS = 600;

/** About `count` round tick values covering [lo, hi] (1, 2, 5 x 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Every k-th point so that at most `max` remain, always keeping the last one. */
export function thin<T>(points: readonly T[], max = MAX_PATH_POINTS): readonly T[] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if ((points.length - 1) % k !== 0) out.push(points[points.length - 1]!);
  return out;
}

/** Exponential moving average of the y values (the loss's trend line). */
export function smooth(points: readonly (readonly [number, number])[], weight = 0.9): [number, number][] {
  let avg: number | undefined;
  return points.map(([x, y]) => {
    avg = avg === undefined ? y : weight * avg + (1 - weight) * y;
    return [x, avg];
  });
}

/** Scales, ticks and path data of a chart of `series`. */
export function chartGeometry(series: readonly Series[], options: ChartOptions): ChartGeometry {
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: options.width - MARGIN.right,
    bottom: options.height - MARGIN.bottom,
  };
  const all = series.flatMap((s) => s.points);
  const ys = all.map(([, y]) => y).filter(Number.isFinite);
  for (const r of options.references ?? []) ys.push(r.y);
  let yLo = options.yMin ?? Math.min(...ys);
  let yHi = options.yMax ?? Math.max(...ys);
  if (!Number.isFinite(yLo) || !Number.isFinite(yHi)) [yLo, yHi] = [0, 1];
  if (yHi - yLo < 1e-9) [yLo, yHi] = [yLo - 0.5, yHi + 0.5];
  const pad = options.yMin === undefined || options.yMax === undefined ? (yHi - yLo) * 0.05 : 0;
  if (options.yMin === undefined) yLo -= pad;
  if (options.yMax === undefined) yHi += pad;
  const xHi = Math.max(1, options.xMax ?? 0, ...all.map(([x]) => x));
  const xAt = (x: number) => plot.left + (x / xHi) * (plot.right - plot.left);
  const yAt = (y: number) => plot.bottom - ((y - yLo) / (yHi - yLo)) * (plot.bottom - plot.top);
  const r = (v: number) => Math.round(v * 10) / 10;
  const paths = series
    .filter((s) => s.points.length > 0)
    .map((s) => ({
      className: s.className,
      d: thin(s.points)
        .filter(([, y]) => Number.isFinite(y))
        .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${r(xAt(x))},${r(yAt(Math.min(yHi, Math.max(yLo, y))))}`)
        .join(''),
    }));
  return {
    plot,
    xTicks: niceTicks(0, xHi, 5).map((value) => ({ value, at: xAt(value) })),
    yTicks: niceTicks(yLo, yHi, 4).map((value) => ({ value, at: yAt(value) })),
    paths,
    references: (options.references ?? []).map((ref) => ({ label: ref.label, at: yAt(ref.y) })),
  };
}

const SVG = 'http://www.w3.org/2000/svg';

function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Draws `series` into `svg` (its previous content is replaced). */
export function drawChart(svg: SVGSVGElement, series: readonly Series[], options: ChartOptions): void {
  const g = chartGeometry(series, options);
  const { plot } = g;
  const formatY = options.formatY ?? ((v: number) => String(v));
  svg.setAttribute('viewBox', `0 0 ${options.width} ${options.height}`);
  const children: SVGElement[] = [
    svgElement('rect', {
      class: 'frame',
      x: plot.left,
      y: plot.top,
      width: plot.right - plot.left,
      height: plot.bottom - plot.top,
    }),
  ];
  for (const t of g.yTicks) {
    children.push(svgElement('line', { class: 'grid', x1: plot.left, x2: plot.right, y1: t.at, y2: t.at }));
    children.push(
      svgElement(
        'text',
        { class: 'tick', x: plot.left - 4, y: t.at + 3, 'text-anchor': 'end' },
        formatY(t.value),
      ),
    );
  }
  for (const t of g.xTicks) {
    children.push(
      svgElement(
        'text',
        { class: 'tick', x: t.at, y: plot.bottom + 14, 'text-anchor': 'middle' },
        String(t.value),
      ),
    );
  }
  for (const ref of g.references) {
    children.push(
      svgElement('line', { class: 'reference', x1: plot.left, x2: plot.right, y1: ref.at, y2: ref.at }),
    );
    children.push(
      svgElement(
        'text',
        { class: 'reference-label', x: plot.right - 4, y: ref.at - 3, 'text-anchor': 'end' },
        ref.label,
      ),
    );
  }
  for (const p of g.paths) children.push(svgElement('path', { class: p.className, d: p.d }));
  svg.replaceChildren(...children);
}
