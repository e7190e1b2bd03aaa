// Runs the selected suites one after another: gives each a context (GPU, sizing, budget,
// progress), catches a suite's failure so the others still run, and collects rows + statuses.
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { copyVec4 } from '@mamba-webgpu/tensor/internal';
import type { ProgressReporter } from './progress.js';
import type { SuiteStatus } from './result.js';
import type { BenchRow, BenchSizing, BenchSuite } from './types.js';

export interface RunOptions {
  gpu: GpuContext | undefined;
  sizing: BenchSizing;
  /** Soft budget per suite, ms. */
  budgetMs: number;
  progress: ProgressReporter;
  /** Why GPU suites are skipped when `gpu` is undefined. */
  noGpuReason?: string;
  /**
   * Hard wall-clock limit per suite, ms: past it the suite counts as failed and the next one
   * starts (its work may go on in the background). Default max(2 x budget, budget + 1 min), so
   * four suites at the small sizing's 60 s budget end within 8 minutes even when one hangs.
   */
  hardLimitMs?: number;
  /** Warm the GPU's clocks up before each GPU suite (see warmUpGpu). */
  warmUpMs?: number;
}

/** A suite that ran past the runner's hard limit. */
export class SuiteTimeoutError extends Error {
  override name = 'SuiteTimeoutError';
}

/** Resolves or rejects like `promise`, or rejects with SuiteTimeoutError after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, suite: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SuiteTimeoutError(
            `${suite}: still running after the hard limit of ${(ms / 1000).toFixed(0)} s`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface RunOutcome {
  suites: SuiteStatus[];
  rows: BenchRow[];
}

/** One line for an error: `Name: message` (stack kept out of the table; printed by the CLI). */
export function errorLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A row's spread fields from a measurement: `spread` (MAD / median) and `outliers` (samples
 * beyond 3 scaled MADs the warm-up did not absorb), the latter only when there are some.
 */
export function sampleFields(m: { spread: number; outliers: number }): Pick<BenchRow, 'spread' | 'outliers'> {
  return m.outliers > 0 ? { spread: m.spread, outliers: m.outliers } : { spread: m.spread };
}

/** Checks a suite's rows and fills in the suite name where missing. */
export function checkRows(suite: string, rows: unknown): BenchRow[] {
  if (!Array.isArray(rows))
    throw new Error(`${suite}: run() must return an array of rows, got ${typeof rows}`);
  return rows.map((row: Partial<BenchRow>, i) => {
    if (typeof row?.name !== 'string' || typeof row.shape !== 'string' || typeof row.unit !== 'string') {
      throw new Error(`${suite}: row ${i} needs string name, shape and unit`);
    }
    if (typeof row.value !== 'number') {
      throw new Error(
        `${suite}: row ${i} (${row.name} ${row.shape}) has value ${String(row.value)}, expected a number`,
      );
    }
    return { ...row, suite: row.suite || suite } as BenchRow;
  });
}

/**
 * Keeps the GPU busy for about `ms` with large copies before a suite: an idle GPU drops its
 * clocks (an H200 idles at 345 MHz) and the first figures of a suite would measure the ramp-up.
 */
export async function warmUpGpu(gpu: GpuContext, ms = 400): Promise<void> {
  const bytes = 64 << 20;
  using src = Tensor.empty(gpu, [bytes / 4], 'f32', 'bench/warm-up-src');
  using dst = Tensor.empty(gpu, [bytes / 4], 'f32', 'bench/warm-up-dst');
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) copyVec4(gpu, src.buffer, dst.buffer, bytes);
    await gpu.sync('bench/warm-up');
  }
}

/** Runs `suites` in order; never throws for a suite's failure (its status says `ok: false`). */
export async function runSuites(suites: readonly BenchSuite[], options: RunOptions): Promise<RunOutcome> {
  const statuses: SuiteStatus[] = [];
  const rows: BenchRow[] = [];
  for (const suite of suites) {
    if (suite.needsGpu && !options.gpu) {
      const skipped = options.noGpuReason ?? 'no GPU adapter';
      statuses.push({ name: suite.name, ok: false, skipped, seconds: 0, rows: 0 });
      options.progress.finish(`- ${suite.name}: skipped (${skipped})`);
      continue;
    }
    const start = performance.now();
    const hardLimitMs = options.hardLimitMs ?? Math.max(2 * options.budgetMs, options.budgetMs + 60_000);
    let live = true;
    let timedOut = false;
    // Drop device errors left from an earlier suite, so that they are not blamed on this one.
    await options.gpu?.checkErrors(suite.name).catch(() => undefined);
    options.progress.start(suite.name);
    if (suite.needsGpu && options.gpu && options.warmUpMs) await warmUpGpu(options.gpu, options.warmUpMs);
    try {
      const running = suite.run({
        gpu: options.gpu,
        sizing: options.sizing,
        timeBudgetMs: options.budgetMs,
        progress: (done, total, label) => {
          if (live) options.progress.update(done, total, label);
        },
      });
      const suiteRows = checkRows(suite.name, await withTimeout(running, hardLimitMs, suite.name));
      // Errors the suite left uncaptured on the device are its own.
      await options.gpu?.checkErrors(suite.name);
      const seconds = (performance.now() - start) / 1000;
      rows.push(...suiteRows);
      statuses.push({ name: suite.name, ok: true, seconds, rows: suiteRows.length });
      options.progress.finish(`ok ${suite.name}: ${suiteRows.length} rows in ${seconds.toFixed(1)} s`);
    } catch (error) {
      const seconds = (performance.now() - start) / 1000;
      const line = errorLine(error);
      statuses.push({ name: suite.name, ok: false, error: line, seconds, rows: 0 });
      timedOut = error instanceof SuiteTimeoutError;
      const stack = error instanceof Error && error.stack && !timedOut ? `\n${indent(error.stack)}` : '';
      options.progress.finish(`FAILED ${suite.name} after ${seconds.toFixed(1)} s: ${line}${stack}`);
    } finally {
      live = false;
      // Give pooled buffers back between suites (full-size suites can hold gigabytes), unless
      // a suite that timed out may still be using them.
      if (options.gpu && !options.gpu.isDisposed && !timedOut) options.gpu.pool.trim();
    }
  }
  return { suites: statuses, rows };
}

function indent(text: string): string {
  return text
    .split('\n')
    .slice(1, 8)
    .map((l) => `    ${l.trim()}`)
    .join('\n');
}
