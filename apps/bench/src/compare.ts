// `--compare OLD NEW`: NEW/OLD ratios for every (suite, name, shape) in both results, flagging
// changes beyond noise. Noise is what the two runs measured: max(5%, k_old x spread_old +
// k_new x spread_new), k = 3 for MAD spreads (schema 2) and 1 for (max - min) spreads (schema 1).
import { formatNumber, formatSpread, formatTable } from './format.js';
import { type BenchResult, SPREAD_MEANING } from './result.js';
import type { BenchRow } from './types.js';

/** The smallest change ever flagged, whatever the spreads say. */
export const MIN_NOISE = 0.05;

/**
 * How many spreads of a run count as its noise, by what the spread means: 3 MADs (about 2
 * standard deviations, robustly), or the whole (max - min) range of a schema-1 file.
 */
export const NOISE_SPREADS: Record<string, number> = {
  [SPREAD_MEANING[2]]: 3,
  [SPREAD_MEANING[1]]: 1,
};

/** The noise factor of a result (3 when its spread meaning is unknown: the current MAD). */
export function noiseSpreads(result: Pick<BenchResult, 'meta' | 'schema'>): number {
  return NOISE_SPREADS[result.meta.spread ?? SPREAD_MEANING[result.schema]] ?? 3;
}

export type Verdict = 'regression' | 'improvement' | 'same' | 'unknown-unit';

export interface Comparison {
  suite: string;
  name: string;
  shape: string;
  unit: string;
  old: number;
  new: number;
  /** NEW / OLD. */
  ratio: number;
  /** The ratio oriented so that > 1 is better (NEW/OLD for throughput, OLD/NEW for times). */
  gain: number;
  /** The relative change counted as noise. */
  noise: number;
  verdict: Verdict;
}

export interface CompareOutcome {
  matched: Comparison[];
  onlyOld: BenchRow[];
  onlyNew: BenchRow[];
}

/**
 * Whether a larger value is better for `unit`: throughputs (`GB/s`, `tok/s`, anything per
 * second) and speed-ups (`x`) are; times (`ms`, `s`, `us`, `ns`) are not; undefined otherwise.
 */
export function higherIsBetter(unit: string): boolean | undefined {
  const u = unit.trim().toLowerCase();
  if (/\/\s*s$/.test(u) || u === 'x' || u === '×' || u === 'speedup') return true;
  if (['ms', 's', 'sec', 'us', 'µs', 'ns', 'min'].includes(u) || u.startsWith('ms/')) return false;
  return undefined;
}

function key(row: BenchRow): string {
  return `${row.suite}\u0000${row.name}\u0000${row.shape}`;
}

/** Compares one pair of rows; `spreads` weighs each run's spread into the noise (see NOISE_SPREADS). */
export function compareRows(
  oldRow: BenchRow,
  newRow: BenchRow,
  spreads: { old: number; new: number } = { old: 3, new: 3 },
): Comparison {
  const ratio = newRow.value / oldRow.value;
  const direction = higherIsBetter(newRow.unit);
  const gain = direction === false ? 1 / ratio : ratio;
  const noise = Math.max(MIN_NOISE, spreads.old * (oldRow.spread ?? 0) + spreads.new * (newRow.spread ?? 0));
  let verdict: Verdict;
  if (direction === undefined || oldRow.unit !== newRow.unit || !Number.isFinite(gain))
    verdict = 'unknown-unit';
  else if (gain < 1 - noise) verdict = 'regression';
  else if (gain > 1 + noise) verdict = 'improvement';
  else verdict = 'same';
  return {
    suite: newRow.suite,
    name: newRow.name,
    shape: newRow.shape,
    unit: newRow.unit,
    old: oldRow.value,
    new: newRow.value,
    ratio,
    gain,
    noise,
    verdict,
  };
}

/** Matches rows of two results by (suite, name, shape), in NEW's order. */
export function compareResults(oldResult: BenchResult, newResult: BenchResult): CompareOutcome {
  const oldByKey = new Map(oldResult.rows.map((r) => [key(r), r]));
  const newKeys = new Set(newResult.rows.map(key));
  const matched: Comparison[] = [];
  const onlyNew: BenchRow[] = [];
  const spreads = { old: noiseSpreads(oldResult), new: noiseSpreads(newResult) };
  for (const row of newResult.rows) {
    const old = oldByKey.get(key(row));
    if (old) matched.push(compareRows(old, row, spreads));
    else onlyNew.push(row);
  }
  const onlyOld = oldResult.rows.filter((r) => !newKeys.has(key(r)));
  return { matched, onlyOld, onlyNew };
}

const VERDICT_TEXT: Record<Verdict, string> = {
  regression: 'REGRESSION',
  improvement: 'better',
  same: '~',
  'unknown-unit': '? unit',
};

function describeRun(label: string, r: BenchResult): string {
  const adapter = r.meta.adapter?.summary ?? 'no adapter';
  return `${label}: ${r.meta.date}  commit ${r.meta.gitCommit.slice(0, 12)}  ${r.meta.sizing}  ${adapter}`;
}

/** The compare report as lines: both runs, the ratio table, unmatched rows, a verdict count. */
export function formatComparison(
  oldResult: BenchResult,
  newResult: BenchResult,
  outcome: CompareOutcome,
): string[] {
  const out = [describeRun('old', oldResult), describeRun('new', newResult)];
  if ((oldResult.meta.adapter?.summary ?? '') !== (newResult.meta.adapter?.summary ?? '')) {
    out.push('note: the two runs used different adapters; ratios compare machines, not code');
  }
  const spreadOf = (r: BenchResult) => r.meta.spread ?? SPREAD_MEANING[r.schema];
  if (spreadOf(oldResult) !== spreadOf(newResult)) {
    out.push(
      `note: the spreads mean different things (old: ${spreadOf(oldResult)}, new: ${spreadOf(newResult)}); noise weighs each as NOISE_SPREADS says`,
    );
  }
  if (oldResult.meta.sizing !== newResult.meta.sizing) {
    out.push(
      `note: sizing differs (${oldResult.meta.sizing} vs ${newResult.meta.sizing}); few shapes will match`,
    );
  }
  out.push('');
  const cells = [['suite', 'name', 'shape', 'old', 'new', 'unit', 'new/old', 'noise', 'verdict']];
  for (const c of outcome.matched) {
    cells.push([
      c.suite,
      c.name,
      c.shape,
      formatNumber(c.old),
      formatNumber(c.new),
      c.unit,
      `${c.ratio.toFixed(3)}`,
      formatSpread(c.noise),
      VERDICT_TEXT[c.verdict],
    ]);
  }
  if (outcome.matched.length > 0) {
    out.push(
      ...formatTable(cells, ['left', 'left', 'left', 'right', 'right', 'left', 'right', 'right', 'left']),
    );
  } else {
    out.push('no rows match by (suite, name, shape)');
  }
  for (const [label, rows] of [
    ['only in old', outcome.onlyOld],
    ['only in new', outcome.onlyNew],
  ] as const) {
    if (rows.length > 0) {
      out.push('', `${label} (${rows.length}):`);
      for (const r of rows)
        out.push(`  ${r.suite}  ${r.name}  ${r.shape}  ${formatNumber(r.value)} ${r.unit}`);
    }
  }
  const count = (v: Verdict) => outcome.matched.filter((c) => c.verdict === v).length;
  out.push(
    '',
    `${outcome.matched.length} matched: ${count('regression')} regressions, ${count('improvement')} improvements, ${count('same')} within noise` +
      (count('unknown-unit') ? `, ${count('unknown-unit')} with a unit of unknown direction` : ''),
  );
  return out;
}
