// The anchors: the official Mamba CUDA stack (mamba_ssm + causal-conv1d, f32) measured on the same
// lent NVIDIA H200, bundled from `h200-official.json` (a byte-for-byte copy of
// docs/benchmarks/anchors.json, tested) so the bench needs no ../shared. Maps a bench row to its
// official figure and attaches it, with the speed ratio, when the run's adapter is that GPU.
import { higherIsBetter } from '../compare.js';
import type { ResultAdapter, ResultAnchors } from '../result.js';
import type { BenchRow, OfficialFigure } from '../types.js';
import ANCHORS_JSON from './h200-official.json';

/** The anchors file as bundled (provenance fields `about`, `gpu`, `official`, `how` included). */
export const ANCHORS = ANCHORS_JSON;

/** Where the anchors live in the repository (the bundled JSON is a copy). */
export const ANCHORS_FILE = 'docs/benchmarks/anchors.json';

/** The GPU the anchors were measured on, as a short name. */
export const ANCHOR_GPU = 'NVIDIA H200';

/** The adapter fields the match reads (the bench prints them as `vendor / device / description`). */
export type AdapterIdentity = Pick<ResultAdapter, 'vendor' | 'device' | 'description'>;

/**
 * Whether `adapter` is the anchors' GPU: vendor `nvidia` and `h200` in the device or the
 * description (Dawn reports `nvidia / nvidia-h200 / NVIDIA: 580.159.04 ...`).
 */
export function anchorsMatch(adapter: AdapterIdentity | null | undefined): boolean {
  if (!adapter) return false;
  return (
    adapter.vendor.toLowerCase() === 'nvidia' && /h200/i.test(`${adapter.device} ${adapter.description}`)
  );
}

/** The best of the official runs (several runs where the anchors give several): never flatters us. */
function best(entry: unknown, higherBetter: boolean): number | undefined {
  const values = (Array.isArray(entry) ? entry : [entry]).filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  if (values.length === 0) return undefined;
  return higherBetter ? Math.max(...values) : Math.min(...values);
}

/** `table[key]` of a JSON object whose other keys (`how`) are text. */
function at(table: object, key: string): unknown {
  return (table as Record<string, unknown>)[key];
}

/** The number in a shape like `L=1024` or `batch=8` when its key is `key`. */
function shapeNumber(shape: string, key: string): string | undefined {
  return new RegExp(`^${key}=(\\d+)$`).exec(shape.trim())?.[1];
}

const TRAIN_SCAN_PARTS: [RegExp, 'fwd' | 'bwd' | 'fwd+bwd'][] = [
  [/^scan forward \+ backward/, 'fwd+bwd'],
  [/^scan backward/, 'bwd'],
  [/^scan forward/, 'fwd'],
];

/** The anchor for the training step at `batch`x`seqLen` (`8x2048`), if measured. */
export function officialTrainStep(
  shape: string,
): { tok_s: number; step_ms: number; peak_gib: number } | undefined {
  return at(ANCHORS.training.train_step.f32_highest, shape) as
    | { tok_s: number; step_ms: number; peak_gib: number }
    | undefined;
}

/**
 * The official figure for `row`, in the row's unit, whatever adapter it ran on (undefined when the
 * anchors have none): scan versions against `selective_scan_fwd`; mamba-130m prefill (one token
 * generated and read back, the same work) and decode (CUDA graphs, the fastest official path);
 * the train suite's scan forward/backward and training step (f32, no TF32).
 */
export function officialFor(row: BenchRow): Omit<OfficialFigure, 'ratio'> | undefined {
  const higher = higherIsBetter(row.unit);
  if (higher === undefined) return undefined;
  const figure = (entry: unknown, source: string) => {
    const value = best(entry, higher);
    return value === undefined ? undefined : { value, source };
  };
  const mamba130m = /mamba-130m/.test(String(row.extra?.config ?? row.shape));
  if (row.suite === 'scan' && row.name.startsWith('scan/') && row.unit === 'ms') {
    return figure(at(ANCHORS.scan_ms, row.shape), 'mamba_ssm selective_scan_fwd');
  }
  if (row.suite === 'model' && row.unit === 'tok/s' && mamba130m) {
    const length = shapeNumber(row.shape, 'L');
    if (row.name === 'prefill' && length) {
      return figure(at(ANCHORS.prefill_tok_s.same_work, length), 'mamba_ssm generate, 1 token');
    }
    const batch = shapeNumber(row.shape, 'batch');
    if (row.name === 'decode' && batch) {
      return figure(at(ANCHORS.decode_tok_s.cuda_graphs, batch), 'mamba_ssm generate, CUDA graphs');
    }
    return undefined;
  }
  if (row.suite === 'train') {
    const part = TRAIN_SCAN_PARTS.find(([pattern]) => pattern.test(row.name))?.[1];
    if (part && row.unit === 'ms') {
      const shape = at(ANCHORS.training.scan_fwd_bwd_ms, row.shape) as Record<string, number> | undefined;
      return figure(shape?.[part], `mamba_ssm selective_scan_cuda ${part}`);
    }
    const step = /^mamba-130m (\d+x\d+)$/.exec(row.shape)?.[1];
    if (row.name.startsWith('training step') && step && row.unit === 'tok/s') {
      return figure(officialTrainStep(step)?.tok_s, 'mamba_ssm f32 training step');
    }
  }
  return undefined;
}

/** Ours over theirs as a speed (> 1: ours is faster): value/official for rates, official/value for times. */
export function speedRatio(value: number, official: number, unit: string): number {
  return higherIsBetter(unit) === false ? official / value : value / official;
}

/** The row with its `official` figure and ratio, or as it is when the anchors have none. */
export function withOfficial(row: BenchRow): BenchRow {
  const found = officialFor(row);
  if (!found) return row;
  const official: OfficialFigure = {
    value: found.value,
    ratio: Number(speedRatio(row.value, found.value, row.unit).toFixed(3)),
    source: found.source,
  };
  const step = /^mamba-130m (\d+x\d+)$/.exec(row.shape)?.[1];
  const peak = row.suite === 'train' && step ? officialTrainStep(step)?.peak_gib : undefined;
  return {
    ...row,
    ...(peak !== undefined ? { extra: { ...row.extra, 'official peak GiB': peak } } : {}),
    official,
  };
}

/** The line the bench prints about the anchors, and whether they apply to `adapter`. */
export function anchorsStatus(adapter: AdapterIdentity | null | undefined): ResultAnchors {
  return anchorsMatch(adapter)
    ? {
        matched: true,
        note: `${ANCHOR_GPU}: the official CUDA stack (${ANCHORS_FILE}); vs official = ours / official as a speed (> 1: ours faster)`,
      }
    : { matched: false, note: `not this adapter (they are the official CUDA stack on an ${ANCHOR_GPU})` };
}

/** Attaches the official figures to `rows` when `adapter` is the anchors' GPU. */
export function attachAnchors(
  rows: readonly BenchRow[],
  adapter: AdapterIdentity | null | undefined,
): { rows: BenchRow[]; anchors: ResultAnchors } {
  const anchors = anchorsStatus(adapter);
  return { rows: anchors.matched ? rows.map(withOfficial) : [...rows], anchors };
}
