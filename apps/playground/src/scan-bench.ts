// The page-side selective-scan benchmark: random f32 inputs at a few sizes, every registered
// kernel version (or the auto-picked one), timed by measure(): warm-up, then GPU timestamps when
// the adapter has `timestamp-query`, wall time around submit + sync otherwise.
// Shapes: u, delta, z (batch, dInner, seqLen); A (dInner, dState); B, C (batch, dState, seqLen).

import { type GpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import { type Clock, measure } from '@mamba-webgpu/tensor/internal';
import { type ScanRunner, scanRunners } from './scan-api.js';

/** One problem size. */
export interface ScanBenchSize {
  batch: number;
  dInner: number;
  seqLen: number;
  dState: number;
}

/** One measured kernel x size. */
export interface ScanBenchRow extends ScanBenchSize {
  kernel: string;
  medianMs: number;
  /** `gpu-timestamp`: timestamp queries; `submit-wall`: wall clock around submit + sync. */
  clock: Clock;
  /** Scan elements (batch * dInner * seqLen * dState) per second, in millions. */
  megaElementsPerSecond: number;
  /** Set (and the times NaN) when the kernel does not support this size on this device. */
  unsupported?: string;
}

/** Sizes that finish in seconds: small ones on CPU adapters (SwiftShader, lavapipe). */
export function defaultScanSizes(isCpu: boolean): ScanBenchSize[] {
  return isCpu
    ? [
        { batch: 1, dInner: 64, seqLen: 128, dState: 16 },
        { batch: 1, dInner: 128, seqLen: 512, dState: 16 },
      ]
    : [
        { batch: 1, dInner: 1536, seqLen: 512, dState: 16 },
        { batch: 1, dInner: 1536, seqLen: 2048, dState: 16 },
        { batch: 4, dInner: 1536, seqLen: 2048, dState: 16 },
      ];
}

/** Options of `runScanBench`. */
export interface ScanBenchOptions {
  sizes?: ScanBenchSize[];
  /** Timed runs per kernel x size (default 5 on CPU adapters, 20 otherwise). */
  iterations?: number;
  /** Called as each row is measured, so the page can show it right away. */
  onRow?: (row: ScanBenchRow) => void;
  signal?: AbortSignal;
}

/** Runs every scan kernel at every size and returns the rows. Inputs are freed on return. */
export async function runScanBench(ctx: GpuContext, options: ScanBenchOptions = {}): Promise<ScanBenchRow[]> {
  const sizes = options.sizes ?? defaultScanSizes(ctx.adapter.isCpu);
  const iterations = options.iterations ?? (ctx.adapter.isCpu ? 5 : 20);
  const rows: ScanBenchRow[] = [];
  const runners = scanRunners(ctx.adapter);
  for (const size of sizes) {
    const inputs = makeInputs(ctx, size);
    try {
      for (const runner of runners) {
        options.signal?.throwIfAborted();
        let row: ScanBenchRow;
        try {
          row = await timeKernel(ctx, runner, inputs, size, iterations);
        } catch (error) {
          // A kernel version may refuse a problem (device limits, features): report, go on.
          if (!(error instanceof InvalidArgumentError)) throw error;
          row = {
            ...size,
            kernel: runner.name,
            medianMs: Number.NaN,
            clock: 'wall',
            megaElementsPerSecond: Number.NaN,
          };
          row.unsupported = error.message;
        }
        rows.push(row);
        options.onRow?.(row);
      }
    } finally {
      for (const t of Object.values(inputs)) t.dispose();
    }
  }
  return rows;
}

type ScanInputs = Record<'u' | 'delta' | 'A' | 'B' | 'C' | 'D' | 'z' | 'deltaBias', Tensor<'f32'>>;

async function timeKernel(
  ctx: GpuContext,
  runner: ScanRunner,
  inputs: ScanInputs,
  size: ScanBenchSize,
  iterations: number,
): Promise<ScanBenchRow> {
  const once = () => {
    const { y, lastState } = runner.run(ctx, { ...inputs, deltaSoftplus: true });
    ctx.flush();
    y.dispose();
    lastState.dispose();
  };
  const m = await measure(ctx, once, { warmup: 1, samples: iterations });
  const elements = size.batch * size.dInner * size.seqLen * size.dState;
  return {
    ...size,
    kernel: runner.name,
    medianMs: m.median,
    clock: m.clock,
    megaElementsPerSecond: elements / m.median / 1e3,
  };
}

function makeInputs(ctx: GpuContext, size: ScanBenchSize): ScanInputs {
  const { batch, dInner, seqLen, dState } = size;
  const random = lcg(1234);
  const fill = (n: number, scale: number, offset = 0) =>
    Float32Array.from({ length: n }, () => offset + scale * (random() * 2 - 1));
  const upload = (data: Float32Array, shape: number[], label: string) =>
    Tensor.fromArray(ctx, data, shape, 'f32', `playground/scan-bench/${label}`);
  const seq = batch * dInner * seqLen;
  const bc = batch * dState * seqLen;
  return {
    u: upload(fill(seq, 1), [batch, dInner, seqLen], 'u'),
    delta: upload(fill(seq, 0.5), [batch, dInner, seqLen], 'delta'),
    z: upload(fill(seq, 1), [batch, dInner, seqLen], 'z'),
    A: upload(fill(dInner * dState, 0.5, -1), [dInner, dState], 'A'),
    B: upload(fill(bc, 1), [batch, dState, seqLen], 'B'),
    C: upload(fill(bc, 1), [batch, dState, seqLen], 'C'),
    D: upload(fill(dInner, 1), [dInner], 'D'),
    deltaBias: upload(fill(dInner, 0.1), [dInner], 'delta-bias'),
  };
}

/** A seeded generator of numbers in [0, 1) (numerical recipes LCG): same inputs every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
