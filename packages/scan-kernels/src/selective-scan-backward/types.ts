// Types of the training scan: the forward that saves chunk-boundary states, the backward's
// arguments and gradients, the validated problems kernel versions receive, and their registry type.
// u, delta, z, dy, du, dDelta, dz: (batch, dInner, seqLen); A, dA: (dInner, dState);
// B, C, dB, dC: (batch, dState, seqLen); chunkStates: (batch, dInner, nChunks, dState).

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { KernelVersion } from '@mamba-webgpu/tensor/internal';
import type { SelectiveScanArgs, SelectiveScanResult } from '../selective-scan/types.js';

/** Arguments of `selectiveScanForwardForTraining`: those of `selectiveScan` (f32). */
export type SelectiveScanTrainingArgs = Omit<SelectiveScanArgs, 'lastStateOut'>;

/** What the training forward saves for the backward: the states at the chunk boundaries. */
export interface ScanCheckpoint {
  /** (batch, dInner, nChunks, dState): the state before timestep c * chunkSize (c = 0: the initial state). */
  chunkStates: Tensor<'f32'>;
  /** Timesteps per chunk; the backward must use a kernel version of the same chunk size. */
  chunkSize: number;
}

/** Outputs of `selectiveScanForwardForTraining`, owned by the caller (dispose all three tensors). */
export interface SelectiveScanTrainingResult extends SelectiveScanResult {
  checkpoint: ScanCheckpoint;
}

/** Arguments of `selectiveScanBackward`: the forward's inputs plus the upstream gradients. */
export interface SelectiveScanBackwardArgs extends SelectiveScanTrainingArgs {
  /** (batch, dInner, seqLen): dLoss/dy. */
  dy: Tensor;
  /** (batch, dInner, dState): dLoss/dlastState (default zeros). */
  dLastState?: Tensor | undefined;
  /**
   * The checkpoint `selectiveScanForwardForTraining` returned for these inputs (borrowed). Absent:
   * the backward runs the training forward itself first (one more forward pass).
   */
  checkpoint?: ScanCheckpoint | undefined;
}

/** Gradients of the loss with respect to each input given, new tensors the caller owns. */
export interface SelectiveScanGrads {
  /** (batch, dInner, seqLen) */
  du: Tensor<'f32'>;
  /** (batch, dInner, seqLen), with respect to the raw delta (before deltaBias and softplus). */
  dDelta: Tensor<'f32'>;
  /** (dInner, dState), summed over batch and time. */
  dA: Tensor<'f32'>;
  /** (batch, dState, seqLen), summed over dInner. */
  dB: Tensor<'f32'>;
  /** (batch, dState, seqLen), summed over dInner. */
  dC: Tensor<'f32'>;
  /** (dInner), when D was given. */
  dD?: Tensor<'f32'>;
  /** (batch, dInner, seqLen), when z was given. */
  dz?: Tensor<'f32'>;
  /** (dInner), when deltaBias was given. */
  dDeltaBias?: Tensor<'f32'>;
  /** (batch, dInner, dState), when initialState was given. */
  dInitialState?: Tensor<'f32'>;
}

/** The sizes of a training scan problem. */
export interface ScanSizes {
  batch: number;
  dInner: number;
  seqLen: number;
  dState: number;
}

/** A validated training-forward problem: plain (contiguous, offset 0) f32 operands and the sizes. */
export interface ScanTrainingProblem extends ScanSizes {
  ctx: GpuContext;
  u: Tensor;
  delta: Tensor;
  A: Tensor;
  B: Tensor;
  C: Tensor;
  D?: Tensor | undefined;
  z?: Tensor | undefined;
  deltaBias?: Tensor | undefined;
  initialState?: Tensor | undefined;
  deltaSoftplus: boolean;
  /** @internal Tests: fill the outputs with NaN before recording, so unwritten elements show. */
  poisonOutputs?: boolean | undefined;
}

/** A validated backward problem; `checkpoint` absent means the version records its own forward first. */
export interface ScanBackwardProblem extends ScanTrainingProblem {
  dy: Tensor;
  dLastState?: Tensor | undefined;
  checkpoint?: ScanCheckpoint | undefined;
}

/** The sizes that shape the training kernels' code (constants of their generated headers). */
export interface ScanTrainingConfig {
  /** Channels per workgroup: the block the dB/dC partial sums run over. */
  channels: number;
  /** Invocations per channel; each owns `steps` consecutive timesteps of a chunk. */
  lanes: number;
  /** Timesteps per invocation (registers). The chunk is lanes * steps timesteps. */
  steps: number;
  /** States per register tile in the backward (dState is processed tile by tile). */
  tileStates: number;
  /** States per register tile in the training forward. */
  forwardTileStates: number;
}

/**
 * One registered backward version: a KernelVersion over backward problems (recording returns the
 * gradients, new tensors the caller owns) plus the training forward whose checkpoints it reads.
 */
export interface ScanBackwardKernel extends KernelVersion<ScanBackwardProblem, SelectiveScanGrads> {
  /** Timesteps per saved chunk state. */
  readonly chunkSize: number;
  /**
   * Bytes of the largest bindings of its forward or backward pass for these sizes, by name
   * (checked against the adapter's maxStorageBufferBindingSize before recording).
   */
  bindingBytes(sizes: ScanSizes, pass: 'forward' | 'backward'): Record<string, number>;
  /** Whether its training forward runs this problem on this device. */
  supportsForward(problem: ScanTrainingProblem): boolean;
  /** Records the training forward; returns its outputs (new tensors the caller owns). */
  recordForward(problem: ScanTrainingProblem): SelectiveScanTrainingResult;
}
