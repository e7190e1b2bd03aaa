// The value axis of the report's bar charts: round linear ticks from 0, or a log axis (decades,
// with 2 and 5 between them when few) where the values span decades — a CPU adapter's 0.01 GB/s
// beside a 5 GB/s copy ceiling is then a visible bar, not a line at 0. Short number labels.

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

/**
 * Log ticks covering [min, max] (both > 0): powers of ten from the one at or below `min` to the
 * one at or above `max`, with 2x and 5x between them when the axis spans at most two decades.
 */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    const decade = 10 ** e;
    ticks.push(+decade.toPrecision(12));
    if (hi - lo <= 2 && e < hi) ticks.push(+(2 * decade).toPrecision(12), +(5 * decade).toPrecision(12));
  }
  return ticks;
}

/** The spread of positive values past which `auto` draws a log axis (about 1.5 decades). */
export const LOG_AXIS_SPAN = 30;

export type AxisScale = 'linear' | 'log' | 'auto';

/** A value axis: its ticks and the position of a value between 0 (bottom) and 1 (top). */
export interface ValueAxis {
  log: boolean;
  ticks: number[];
  /** 0 at the axis's bottom, 1 at its top; values at or below a log axis's bottom give 0. */
  fraction(value: number): number;
}

/** The axis for `values` (bars and reference lines): log when asked, or for `auto` past LOG_AXIS_SPAN. */
export function valueAxis(values: readonly number[], scale: AxisScale = 'auto'): ValueAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  const positive = finite.filter((v) => v > 0);
  const max = Math.max(0, ...finite);
  const min = Math.min(...positive);
  const log =
    positive.length > 0 &&
    (scale === 'log' || (scale === 'auto' && positive.length >= 2 && max / min >= LOG_AXIS_SPAN));
  if (!log) {
    const ticks = niceTicks(max);
    const top = ticks[ticks.length - 1]!;
    return { log, ticks, fraction: (v) => Math.max(0, v) / top };
  }
  const ticks = logTicks(min, max);
  const bottom = Math.log10(ticks[0]!);
  const range = Math.log10(ticks[ticks.length - 1]!) - bottom;
  return { log, ticks, fraction: (v) => (v > 0 ? Math.max(0, (Math.log10(v) - bottom) / range) : 0) };
}
