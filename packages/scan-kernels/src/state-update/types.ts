// The arguments of selectiveStateUpdate, the validated problem every kernel version receives,
// what a version prepares from the weights, and the version type of SELECTIVE_STATE_UPDATE_KERNELS.
// state: (batch, dInner, dState); x, z, y: (batch, dInner); dt: (batch, dInner), or (batch, dtRank)
// with dtProj (dInner, dtRank); A: (dInner, dState); B, C: (batch, dState); D, dtBias: (dInner);
// conv.state: (batch, dInner, width); conv.weight: (dInner, width); conv.bias: (dInner).

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { KernelVersion } from '@mamba-webgpu/tensor/internal';

/** The causal conv step fused in front of the state update: x is its input. */
export interface FusedConvStep {
  /** (batch, dInner, width), contiguous: shifted left with x appended, in place. */
  state: Tensor;
  /** (dInner, width) */
  weight: Tensor;
  /** (dInner) */
  bias?: Tensor | undefined;
}

export interface SelectiveStateUpdateArgs {
  /** (batch, dInner, dState), contiguous: updated in place. */
  state: Tensor;
  /** (batch, dInner); with `conv`, the conv's input (u = silu(conv step of x)). Views are read in place. */
  x: Tensor;
  /** (batch, dInner) before dtBias and softplus; with `dtProj`, (batch, dtRank), projected first. */
  dt: Tensor;
  /** (dInner, dState), negative. */
  A: Tensor;
  /** (batch, dState) */
  B: Tensor;
  /** (batch, dState) */
  C: Tensor;
  /** (dInner) */
  D?: Tensor | undefined;
  /** (batch, dInner) gate */
  z?: Tensor | undefined;
  /** (dInner) */
  dtBias?: Tensor | undefined;
  dtSoftplus?: boolean | undefined;
  /** Fuse the causal conv update (with SiLU) in front: x is the conv input, the conv state shifts. */
  conv?: FusedConvStep | undefined;
  /** (dInner, dtRank) f32/f16/bf16: fuse dt_proj in front, delta = dt @ dtProj^T (+ dtBias). */
  dtProj?: Tensor | undefined;
  /** f32 (batch, dInner) to write y into instead of allocating (returned; the caller keeps owning it). */
  out?: Tensor | undefined;
}

/** A validated problem: the tensors and their sizes (conv and dtProj as given). */
export interface StateUpdateProblem {
  readonly ctx: GpuContext;
  readonly batch: number;
  readonly dInner: number;
  readonly dState: number;
  /** dt's columns: dtRank with dtProj, else dInner. */
  readonly dtRank: number;
  /** conv.weight's columns; 0 without conv. */
  readonly width: number;
  readonly state: Tensor;
  readonly x: Tensor;
  readonly dt: Tensor;
  readonly A: Tensor;
  readonly B: Tensor;
  readonly C: Tensor;
  readonly D: Tensor | undefined;
  readonly z: Tensor | undefined;
  readonly dtBias: Tensor | undefined;
  readonly dtSoftplus: boolean;
  readonly conv: FusedConvStep | undefined;
  readonly dtProj: Tensor | undefined;
  /** y (batch, dInner), contiguous: allocated by the op or the caller's. */
  readonly out: Tensor<'f32'>;
  /** What the recording version prepared from the weights (the op sets it before `record`). */
  readonly prepared?: PreparedStateUpdate | undefined;
}

/** The weights a version may prepare from: the per-channel tensors of a layer. */
export interface StateUpdateWeights {
  readonly A: Tensor;
  readonly D?: Tensor | undefined;
  readonly dtBias?: Tensor | undefined;
  readonly conv?: { readonly weight: Tensor; readonly bias?: Tensor | undefined } | undefined;
}

/**
 * Buffers a version built from the weights (e.g. packed to stay within the storage-binding
 * limit), owned by whoever called `prepare`: dispose it when done; prepare again after the
 * weights change.
 */
export interface PreparedStateUpdate extends Disposable {
  /** The version that made it; only that version can use it. */
  readonly kernel: string;
  /** The weights it was made from; a problem with other weights cannot use it. */
  readonly weights: StateUpdateWeights;
  readonly tensors: readonly Tensor[];
  dispose(): void;
}

/** A version records the update, y into `problem.out`. */
export interface StateUpdateKernel extends KernelVersion<StateUpdateProblem> {
  /**
   * Builds what `record` needs from the weights (host setup: not while capturing), or undefined
   * when the version needs nothing.
   */
  prepare(weights: StateUpdateWeights): PreparedStateUpdate | undefined;
}
