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

/** One measured figure. `value` is the median over repetitions; `spread` the (max-min)/median. */
export interface BenchRow {
  suite: string;
  /** What was measured, e.g. `matmul`, `scan/v2-chunked`, `tokenizer/ours`. */
  name: string;
  /** The shape or input, e.g. `(8,1536,2048,16)` or `L=1024`. */
  shape: string;
  value: number;
  unit: string;
  spread?: number;
  /** Extra columns (ms, GB/s, ratios...). */
  extra?: Record<string, number | string>;
}

export interface BenchSuite {
  name: string;
  description: string;
  /** Whether the suite needs a GPU adapter. */
  needsGpu: boolean;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}
