// The arguments and results of `selectiveScan`, the validated problem every kernel version
// receives, and the registry entry type. Logical shapes (any of u, delta, z, B, C and y may be a
// strided view of a larger tensor, e.g. token-major projection outputs):
// u, delta, z, y: (batch, dInner, seqLen); A: (dInner, dState); B, C: (batch, dState, seqLen);
// D, deltaBias: (dInner); initialState, lastState: (batch, dInner, dState).

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { KernelVersion } from '@mamba-webgpu/tensor/internal';

/** Inputs of `selectiveScan` (all f32). */
export interface SelectiveScanArgs {
  /** (batch, dInner, seqLen) */
  u: Tensor;
  /** (batch, dInner, seqLen), before the optional bias and softplus. */
  delta: Tensor;
  /** (dInner, dState), negative: `-exp(A_log)`. */
  A: Tensor;
  /** (batch, dState, seqLen), e.g. a view of x_proj's output rows. */
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
   * (batch, dInner, dState) plain f32 tensor to write the last state into (returned as
   * `lastState`; the caller keeps owning it), e.g. a generation session's persistent state. Must
   * not share memory with any input. Default: a new tensor.
   */
  lastStateOut?: Tensor | undefined;
  /**
   * (batch, dInner, seqLen) f32 tensor or view to write y into (returned as `y`; the caller keeps
   * owning it), e.g. `yTokens.reshape([batch, seqLen, dInner]).transpose(1, 2)` to write y
   * token-major for the next projection. Must not share memory with any input. Default: a new
   * (batch, dInner, seqLen) tensor.
   */
  yOut?: Tensor | undefined;
  /** @internal Run this registered kernel version (tests, bench); default: the best supported. */
  kernel?: string | undefined;
}

/** Outputs of `selectiveScan`, owned by the caller. */
export interface SelectiveScanResult {
  /** (batch, dInner, seqLen): `yOut` when given. */
  y: Tensor<'f32'>;
  /** (batch, dInner, dState) state after the last timestep: `lastStateOut` when given. */
  lastState: Tensor<'f32'>;
}

/** The tensors of a scan problem, by role. */
export type ScanOperand = 'u' | 'delta' | 'A' | 'B' | 'C' | 'D' | 'z' | 'deltaBias' | 'y';

/**
 * A validated scan problem: the operands (views as given), the outputs and the sizes. `lastState`
 * is plain and already holds the initial state when `hasInitialState`.
 */
export interface ScanProblem {
  readonly ctx: GpuContext;
  readonly u: Tensor;
  readonly delta: Tensor;
  readonly A: Tensor;
  readonly B: Tensor;
  readonly C: Tensor;
  readonly D: Tensor | undefined;
  readonly z: Tensor | undefined;
  readonly deltaBias: Tensor | undefined;
  readonly y: Tensor<'f32'>;
  readonly lastState: Tensor<'f32'>;
  readonly hasInitialState: boolean;
  readonly deltaSoftplus: boolean;
  readonly batch: number;
  readonly dInner: number;
  readonly seqLen: number;
  readonly dState: number;
}

/**
 * One registered scan version. `supports(p)` holds when the device fits it and every operand
 * outside `strided` is plain; `selectiveScan` gives it contiguous copies of the other inputs.
 * `record(p)` writes `p.y` and `p.lastState` and returns temporaries to dispose once recorded.
 */
export interface ScanKernelVersion extends KernelVersion<ScanProblem, Tensor[]> {
  /** Operands it reads (y: writes) through any strides and offset, in place. */
  readonly strided: readonly ScanOperand[];
}
