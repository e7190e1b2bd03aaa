// selectiveScanForwardForTraining and selectiveScanBackward: the public entry points of the
// training scan. Validate (typed errors, no GPU work), pick a registered version, make operands
// contiguous through the shared path, and record.

import { type GpuContext, InvalidArgumentError, type Tensor } from '@mamba-webgpu/tensor';
import { contiguousOperand, kernelNamed, pickKernel } from '@mamba-webgpu/tensor/internal';
import { SCAN_BACKWARD_KERNELS } from './kernels.js';
import { releaseAfterRecording } from './outputs.js';
import type {
  ScanBackwardKernel,
  ScanBackwardProblem,
  ScanTrainingProblem,
  SelectiveScanBackwardArgs,
  SelectiveScanGrads,
  SelectiveScanTrainingArgs,
  SelectiveScanTrainingResult,
} from './types.js';
import { type CheckedScan, checkScanBackward, checkTrainingScan } from './validate.js';

/** Options beyond the official arguments (internal: version choice, test poisoning). */
export interface ScanTrainingOptions {
  /** Run the version of this name (SCAN_BACKWARD_KERNELS) instead of the default. */
  kernel?: string | undefined;
  /** The versions to choose from (default SCAN_BACKWARD_KERNELS; tests add configurations). */
  versions?: readonly ScanBackwardKernel[] | undefined;
  /** Tests: fill the outputs with NaN before recording. */
  poisonOutputs?: boolean | undefined;
}

/** The problem over the caller's tensors (for `supports`; operands are made plain before recording). */
function problemOf(ctx: GpuContext, checked: CheckedScan, options: ScanTrainingOptions): ScanTrainingProblem {
  const { args, batch, dInner, seqLen, dState, deltaSoftplus } = checked;
  return {
    ctx,
    batch,
    dInner,
    seqLen,
    dState,
    deltaSoftplus,
    u: args.u,
    delta: args.delta,
    A: args.A,
    B: args.B,
    C: args.C,
    D: args.D ?? undefined,
    z: args.z ?? undefined,
    deltaBias: args.deltaBias ?? undefined,
    initialState: args.initialState ?? undefined,
    poisonOutputs: options.poisonOutputs,
  };
}

const OPERANDS = [
  'u',
  'delta',
  'A',
  'B',
  'C',
  'D',
  'z',
  'deltaBias',
  'initialState',
  'dy',
  'dLastState',
] as const;

/** The problem with every operand plain (contiguous copies pushed onto `temporaries`). */
function plainOperands<P extends ScanTrainingProblem>(p: P, temporaries: Tensor[]): P {
  const plain: P = { ...p };
  const record = plain as unknown as Record<string, Tensor | undefined>;
  for (const name of OPERANDS) {
    const t = record[name];
    if (t) record[name] = contiguousOperand(t, temporaries);
  }
  return plain;
}

/** Throws LimitError when one of the version's bindings would exceed the adapter's limit. */
function checkBindings(
  caller: string,
  kernel: ScanBackwardKernel,
  p: ScanTrainingProblem,
  pass: 'forward' | 'backward',
): void {
  for (const [what, bytes] of Object.entries(kernel.bindingBytes(p, pass)))
    p.ctx.checkBindingSize(caller, what, bytes);
}

/** selectiveScanForwardForTraining with internal options. */
export function selectiveScanForwardForTrainingWith(
  ctx: GpuContext,
  args: SelectiveScanTrainingArgs,
  options: ScanTrainingOptions = {},
): SelectiveScanTrainingResult {
  const caller = 'selectiveScanForwardForTraining';
  const versions = options.versions ?? SCAN_BACKWARD_KERNELS;
  const problem = problemOf(ctx, checkTrainingScan(ctx, caller, args), options);
  let kernel: ScanBackwardKernel | undefined;
  if (options.kernel !== undefined) {
    kernel = kernelNamed(caller, versions, options.kernel) as ScanBackwardKernel;
  } else {
    kernel = [...versions].reverse().find((v) => v.automatic && v.supportsForward(problem));
  }
  if (!kernel?.supportsForward(problem)) {
    throw new InvalidArgumentError(
      `${caller}: ${kernel ? `kernel ${kernel.name} does not` : 'no kernel version does'} support this problem on this device`,
      'kernel',
    );
  }
  checkBindings(caller, kernel, problem, 'forward');
  const temporaries: Tensor[] = [];
  const result = kernel.recordForward(plainOperands(problem, temporaries));
  releaseAfterRecording(temporaries);
  return result;
}

/** selectiveScanBackward with internal options. */
export function selectiveScanBackwardWith(
  ctx: GpuContext,
  args: SelectiveScanBackwardArgs,
  options: ScanTrainingOptions = {},
): SelectiveScanGrads {
  const caller = 'selectiveScanBackward';
  const versions = options.versions ?? SCAN_BACKWARD_KERNELS;
  const checked = checkScanBackward(ctx, caller, args, versions);
  const problem: ScanBackwardProblem = {
    ...problemOf(ctx, checked, options),
    dy: args.dy,
    dLastState: args.dLastState ?? undefined,
    checkpoint: args.checkpoint ?? undefined,
  };
  const kernel = pickKernel(caller, versions, problem, options.kernel) as ScanBackwardKernel;
  checkBindings(caller, kernel, problem, 'backward');
  const temporaries: Tensor[] = [];
  const grads = kernel.record(plainOperands(problem, temporaries));
  releaseAfterRecording(temporaries);
  return grads;
}

/**
 * The selective scan's forward for training: y and lastState as `selectiveScan`, plus a
 * checkpoint holding only the states at the chunk boundaries, (batch, dInner, nChunks, dState),
 * for `selectiveScanBackward`. Shapes: u, delta, z (batch, dInner, seqLen); A (dInner, dState);
 * B, C (batch, dState, seqLen); D, deltaBias (dInner); initialState (batch, dInner, dState).
 * Inputs are borrowed; y, lastState and checkpoint.chunkStates are new tensors the caller owns.
 * @throws ShapeError, DTypeError, LimitError, InvalidArgumentError before any GPU work.
 */
export function selectiveScanForwardForTraining(
  ctx: GpuContext,
  args: SelectiveScanTrainingArgs,
): SelectiveScanTrainingResult {
  return selectiveScanForwardForTrainingWith(ctx, args);
}

/**
 * The backward of the selective scan (the paper's hardware-aware algorithm, section 3.3): the
 * gradients of `sum(y * dy) + sum(lastState * dLastState)` with respect to every input given.
 * The states are recomputed on chip chunk by chunk from the checkpoint of
 * `selectiveScanForwardForTraining` (or from a forward pass it runs itself when `checkpoint` is
 * absent); no (..., seqLen, dState) tensor is stored. Deterministic: every sum has a fixed order.
 * Shapes: dy (batch, dInner, seqLen), dLastState (batch, dInner, dState), the rest as the forward;
 * each gradient has its input's shape (dDelta is with respect to the raw delta).
 * Inputs are borrowed; the gradients are new tensors the caller owns.
 * @throws ShapeError, DTypeError, LimitError, InvalidArgumentError before any GPU work.
 */
export function selectiveScanBackward(ctx: GpuContext, args: SelectiveScanBackwardArgs): SelectiveScanGrads {
  return selectiveScanBackwardWith(ctx, args);
}
