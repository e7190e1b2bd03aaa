// measure(): the one timing kit of the bench, the tune and profile scripts and the playground.
// Warm-up, then N samples (or fewer within a time budget); median, spread (MAD / median) and the
// outliers left after the warm-up; which clock.
// GPU work is timed by timestamp queries where the device has them, else by the wall clock.

import type { GpuContext } from '../device/context.js';
import { type SampleStats, summarize } from './statistics.js';

/**
 * Which clock the samples came from: `gpu-timestamp` (timestamp queries around one compute pass),
 * `submit-wall` (wall clock from submit to onSubmittedWorkDone, the queue drained before),
 * `wall` (wall clock around a host function), `reported` (the function returned its own time),
 * `mixed` (a host function that returned its time only sometimes).
 */
export type Clock = 'gpu-timestamp' | 'submit-wall' | 'wall' | 'reported' | 'mixed';

export interface MeasureOptions {
  /** Untimed runs first (pipeline compilation, buffer pool, clocks). Default 2. */
  warmup?: number;
  /** Timed samples wanted. Default 10. */
  samples?: number;
  /** Samples taken even past the budget. Default 3 (at most `samples`). */
  minSamples?: number;
  /** Stop sampling once warm-up plus samples took this long (wall clock, ms). Default: no limit. */
  budgetMs?: number;
  /** Calls per sample (in one pass for GPU work); the sample is the time per call. Default 1. */
  repeat?: number;
  /** Untimed work before each sample and warm-up run, e.g. copies that keep a GPU's clocks up. */
  beforeSample?: () => void | Promise<void>;
  /** GPU work: time by `submit-wall` even where timestamp queries exist (end-to-end latency). */
  wallClock?: boolean;
  /** Called after each timed sample with (done, planned). */
  onSample?: (done: number, planned: number) => void;
}

/** What `measure` returns: the statistics of the samples (ms) and the clock that took them. */
export interface Measurement extends SampleStats {
  clock: Clock;
}

/** One sample in ms, and whether the function reported it itself (host form). */
type Sampler = () => Promise<{ ms: number; reported: boolean }>;

/**
 * Times GPU work: `record` records dispatches (and nothing the GPU must wait for on the host);
 * each sample runs it `repeat` times in one pass bracketed by GPU timestamps, or, without
 * `timestamp-query`, between a drained queue and onSubmittedWorkDone by the wall clock.
 */
export function measure(ctx: GpuContext, record: () => void, options?: MeasureOptions): Promise<Measurement>;
/**
 * Times a host function (awaited): the sample is the wall-clock time of `repeat` calls, or the
 * time in ms the function returns (e.g. a duration it measured itself).
 */
export function measure(fn: () => unknown, options?: MeasureOptions): Promise<Measurement>;
export function measure(
  target: GpuContext | (() => unknown),
  second?: (() => void) | MeasureOptions,
  third?: MeasureOptions,
): Promise<Measurement> {
  if (typeof target === 'function') {
    const options = (second as MeasureOptions | undefined) ?? {};
    return sampleAll(hostSampler(target, options.repeat ?? 1), options, undefined);
  }
  const options = third ?? {};
  const timestamps = target.features.timestampQuery && !options.wallClock;
  const sampler = gpuSampler(target, second as () => void, options.repeat ?? 1, timestamps);
  return sampleAll(sampler, options, timestamps ? 'gpu-timestamp' : 'submit-wall');
}

function gpuSampler(ctx: GpuContext, record: () => void, repeat: number, timestamps: boolean): Sampler {
  const recordAll = () => {
    for (let i = 0; i < repeat; i++) record();
  };
  if (timestamps) {
    return async () => ({ ms: (await ctx.timeGpu(recordAll))! / repeat, reported: false });
  }
  return async () => {
    await ctx.sync('measure'); // earlier work must not count
    const start = performance.now();
    recordAll();
    await ctx.sync('measure');
    return { ms: (performance.now() - start) / repeat, reported: false };
  };
}

function hostSampler(fn: () => unknown, repeat: number): Sampler {
  return async () => {
    let reportedMs = 0;
    let reports = 0;
    const start = performance.now();
    for (let i = 0; i < repeat; i++) {
      const returned = await fn();
      if (typeof returned === 'number' && Number.isFinite(returned)) {
        reportedMs += returned;
        reports++;
      }
    }
    const wallMs = performance.now() - start;
    return reports === repeat
      ? { ms: reportedMs / repeat, reported: true }
      : { ms: wallMs / repeat, reported: false };
  };
}

/** Warm-up, then samples until `samples`, or `minSamples` once the budget is spent. */
async function sampleAll(
  sampler: Sampler,
  options: MeasureOptions,
  gpuClock: Clock | undefined,
): Promise<Measurement> {
  const planned = Math.max(1, options.samples ?? 10);
  const minSamples = Math.min(planned, Math.max(1, options.minSamples ?? 3));
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  for (let i = 0; i < (options.warmup ?? 2); i++) {
    await options.beforeSample?.();
    await sampler();
  }
  const samples: number[] = [];
  let reported = 0;
  while (samples.length < planned) {
    await options.beforeSample?.();
    const sample = await sampler();
    samples.push(sample.ms);
    if (sample.reported) reported++;
    options.onSample?.(samples.length, planned);
    if (samples.length >= minSamples && performance.now() - start > budgetMs) break;
  }
  const clock = gpuClock ?? (reported === samples.length ? 'reported' : reported === 0 ? 'wall' : 'mixed');
  return { ...summarize(samples), clock };
}
