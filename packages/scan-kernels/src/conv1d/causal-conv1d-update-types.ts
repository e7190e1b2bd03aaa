// The arguments of causalConv1dUpdate, the validated problem every kernel version receives, and
// the version type of its registry (CAUSAL_CONV1D_UPDATE_KERNELS).
// x: (batch, dInner), any strides; convState: (batch, dInner, width); weight: (dInner, width);
// bias: (dInner); projection: (n, dInner); output: (batch, dInner), or (batch, n) projected.

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { KernelVersion } from '@mamba-webgpu/tensor/internal';

export interface CausalConv1dUpdateArgs {
  /** (batch, dInner): this token's input (a strided view is read in place, e.g. in_proj's x half). */
  x: Tensor;
  /** (batch, dInner, width), contiguous: shifted left with x appended, in place. */
  convState: Tensor;
  /** (dInner, width) */
  weight: Tensor;
  /** (dInner) */
  bias?: Tensor | undefined;
  silu?: boolean | undefined;
  /**
   * Shift the state (default true). False reads it as if shifted and leaves it unchanged, for a
   * later step that shifts it (the selective state update's fused conv step).
   */
  updateState?: boolean | undefined;
  /** (n, dInner) f32/f16/bf16: return `y @ projection^T` (batch, n), x_proj fused into the step. */
  projection?: Tensor | undefined;
  /** f32 (batch, dInner), or (batch, n) projected, to write into instead of allocating (returned; the caller keeps owning it). */
  out?: Tensor | undefined;
}

/** A validated causalConv1dUpdate problem. */
export interface CausalConv1dUpdateProblem {
  readonly ctx: GpuContext;
  readonly batch: number;
  readonly dInner: number;
  readonly width: number;
  readonly x: Tensor;
  readonly convState: Tensor;
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly silu: boolean;
  readonly updateState: boolean;
  readonly projection: Tensor | undefined;
  /** The output (batch, dInner) or (batch, n), contiguous: allocated by the op or the caller's. */
  readonly out: Tensor<'f32'>;
}

/** A version records the step into `problem.out`. */
export type CausalConv1dUpdateKernel = KernelVersion<CausalConv1dUpdateProblem>;
