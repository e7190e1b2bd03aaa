// The validated problem every selective-scan kernel version receives, and the kernel registry
// entry type. Shapes: u, delta, z: (batch, dInner, seqLen); A: (dInner, dState);
// B, C: (batch, dState, seqLen) in 'bnl' layout or (batch, seqLen, dState) in 'bln' layout.

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';

/** Layout of B and C: `bnl` = (batch, dState, seqLen) (official), `bln` = (batch, seqLen, dState). */
export type BcLayout = 'bnl' | 'bln';

/** Inputs of `selectiveScan` (all f32). */
export interface SelectiveScanArgs {
  /** (batch, dInner, seqLen) */
  u: Tensor;
  /** (batch, dInner, seqLen), before the optional bias and softplus. */
  delta: Tensor;
  /** (dInner, dState), negative: `-exp(A_log)`. */
  A: Tensor;
  /** (batch, dState, seqLen) */
  B: Tensor;
  /** (batch, dState, seqLen) */
  C: Tensor;
  /** (dInner) skip connection: y += D * u. */
  D?: Tensor | undefined;
  /** (batch, dInner, seqLen) gate: y *= silu(z). */
  z?: Tensor | undefined;
  /** (dInner) added to delta before the softplus. */
  deltaBias?: Tensor | undefined;
  /** Apply softplus to delta + deltaBias (default false, as `selective_scan_fn`). */
  deltaSoftplus?: boolean | undefined;
  /** (batch, dInner, dState) state before the first timestep (default zeros). */
  initialState?: Tensor | undefined;
  /**
   * (batch, dInner, dState) f32 tensor to write the last state into (returned as `lastState`; the
   * caller keeps owning it), e.g. a generation session's persistent state. Must not be
   * `initialState`. Default: a new tensor.
   */
  lastStateOut?: Tensor | undefined;
}

/** Outputs of `selectiveScan`, owned by the caller. */
export interface SelectiveScanResult {
  /** (batch, dInner, seqLen) */
  y: Tensor<'f32'>;
  /** (batch, dInner, dState) state after the last timestep. */
  lastState: Tensor<'f32'>;
}

/** A validated scan problem: the tensors plus their sizes. */
export interface ScanProblem extends SelectiveScanArgs {
  batch: number;
  dInner: number;
  seqLen: number;
  dState: number;
  deltaSoftplus: boolean;
  bcLayout: BcLayout;
  /**
   * B and C as columns of one time-major tensor (`B` and `C` are that tensor): row b*seqLen + t
   * has `width` elements, B at [bOffset, bOffset + dState), C at [cOffset, cOffset + dState) — the
   * x_proj output [dt | B | C] read in place. Only kernels that say so in `supports` handle it.
   */
  bcRows?: BcRows | undefined;
  /**
   * Strided layouts of delta, z (inputs read in place, e.g. token-major projections) and y (the
   * output written token-major): element (b, d, t) at offset + b*batch + d*channel + t*time. Only
   * kernels that say so in `supports` handle them; absent = the official contiguous layout.
   */
  views?: ScanViews | undefined;
}

/** Element (b, d, t) of a viewed tensor is at `offset + b*batch + d*channel + t*time`. */
export interface StridedView {
  offset: number;
  batch: number;
  channel: number;
  time: number;
}

export interface ScanViews {
  delta?: StridedView | undefined;
  z?: StridedView | undefined;
  y?: StridedView | undefined;
}

/** Where B and C sit in the rows of one (batch, seqLen, width) tensor. */
export interface BcRows {
  width: number;
  bOffset: number;
  cOffset: number;
}

/** One registered kernel version. */
export interface ScanKernel {
  /** `v1-sequential`, `v2-chunked`... */
  name: string;
  description: string;
  /**
   * Whether `selectiveScan` may pick it on its own (default true); false for versions that are
   * correct but measured slower than an older one (they stay for tests, the bench and tuning).
   */
  automatic?: boolean;
  /** Whether the kernel handles this problem on this device. */
  supports(ctx: GpuContext, problem: ScanProblem): boolean;
  /**
   * Records the scan into `y` (batch, dInner, seqLen) and `lastState` (batch, dInner, dState).
   * `lastState` already holds the initial state when `problem.initialState` is set.
   * Returns temporaries to dispose once recorded (none for most kernels).
   */
  record(ctx: GpuContext, problem: ScanProblem, y: Tensor, lastState: Tensor): Tensor[];
}
