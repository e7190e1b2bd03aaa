// The contract between the bench runner and its suites: a suite measures and returns rows;
// the runner prints them, writes JSON and the HTML report.
import type { GpuContext } from '@mamba-webgpu/tensor';

/** How big the shapes are: `small` on CPU adapters (lavapipe) and `full` on real GPUs. */
export type BenchSizing = 'small' | 'full';

export interface BenchContext {
  /** The GPU context (absent for suites that need no GPU when none exists). */
  gpu: GpuContext | undefined;
  sizing: BenchSizing;
  /** Report progress inside the suite: `done` of `total` steps, with a short label. */
  progress: (done: number, total: number, label: string) => void;
  /** Soft wall-clock budget for the suite in ms; suites lower repetitions to fit it. */
  timeBudgetMs: number;
}

/**
 * The official CUDA stack's figure for a row, from the anchors (docs/benchmarks/anchors.json),
 * set only when the run's adapter is the anchors' GPU.
 */
export interface OfficialFigure {
  /** The official figure in the row's unit (the better of its runs where the anchors give two). */
  value: number;
  /** Ours over theirs as a speed: > 1 means we are faster (value/official for tok/s, official/value for ms). */
  ratio: number;
  /** Which official path, e.g. `mamba_ssm selective_scan_fwd`. */
  source: string;
}

/**
 * One measured figure. `value` is the median over repetitions; `spread` the median absolute
 * deviation over the median (schema 2; schema-1 files hold (max - min) / median); `outliers` the
 * samples beyond 3 scaled MADs of the median (see `summarize`), absent when none.
 */
export interface BenchRow {
  suite: string;
  /** What was measured, e.g. `matmul`, `scan/v2-chunked`, `tokenizer/ours`. */
  name: string;
  /** The shape or input, e.g. `(8,1536,2048,16)` or `L=1024`. */
  shape: string;
  value: number;
  unit: string;
  spread?: number;
  outliers?: number;
  /** Extra columns (ms, GB/s, ratios...). */
  extra?: Record<string, number | string>;
  /** The anchor beside ours (added by the bench after the suites ran, on the anchors' GPU only). */
  official?: OfficialFigure;
}

export interface BenchSuite {
  name: string;
  description: string;
  /** Whether the suite needs a GPU adapter. */
  needsGpu: boolean;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}
