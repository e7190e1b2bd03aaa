// Boundary validation of the training scan: the forward's checks (selective-scan/validate.ts) plus
// dy, dLastState and the checkpoint, with typed errors naming the function, what was expected and
// what came. No GPU work happens here.

import {
  type GpuContext,
  InvalidArgumentError,
  ShapeError,
  type Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { validateScan } from '../selective-scan/validate.js';
import { chunkCount } from './forward-training.js';
import type {
  ScanBackwardKernel,
  ScanCheckpoint,
  ScanSizes,
  SelectiveScanBackwardArgs,
  SelectiveScanTrainingArgs,
} from './types.js';

/** The sizes and flags of a checked training problem; its tensors are the caller's, unchanged. */
export interface CheckedScan extends ScanSizes {
  args: SelectiveScanTrainingArgs;
  deltaSoftplus: boolean;
}

function requireTensor(caller: string, name: string, t: unknown): asserts t is Tensor {
  if (t === undefined || t === null || typeof t !== 'object' || !('shape' in t)) {
    throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor, got ${String(t)}`, name);
  }
}

/** Checks the forward's arguments (shapes, dtypes, dState and binding limits). */
export function checkTrainingScan(
  ctx: GpuContext,
  caller: string,
  args: SelectiveScanTrainingArgs,
): CheckedScan {
  if ('lastStateOut' in args && (args as { lastStateOut?: unknown }).lastStateOut !== undefined) {
    throw new InvalidArgumentError(
      `${caller}: lastStateOut is not supported; the result's lastState is new`,
      'lastStateOut',
    );
  }
  const p = validateScan(ctx, caller, args);
  return {
    args,
    batch: p.batch,
    dInner: p.dInner,
    seqLen: p.seqLen,
    dState: p.dState,
    deltaSoftplus: args.deltaSoftplus ?? false,
  };
}

/** Checks a checkpoint against the problem's sizes and the chunk sizes of the registered versions. */
function checkCheckpoint(
  caller: string,
  s: ScanSizes,
  checkpoint: ScanCheckpoint,
  versions: readonly ScanBackwardKernel[],
): void {
  const sizes = [...new Set(versions.map((v) => v.chunkSize))];
  if (!sizes.includes(checkpoint.chunkSize)) {
    throw new InvalidArgumentError(
      `${caller}: checkpoint.chunkSize must be one of ${sizes.join(', ')} (a registered version's), got ${checkpoint.chunkSize}`,
      'checkpoint',
    );
  }
  requireTensor(caller, 'checkpoint.chunkStates', checkpoint.chunkStates);
  const states = checkpoint.chunkStates;
  states.expectDType(caller, 'checkpoint.chunkStates', 'f32');
  const nChunks = chunkCount(s.seqLen, checkpoint.chunkSize);
  const expected = [s.batch, s.dInner, nChunks, s.dState];
  if (states.shape.length !== 4 || states.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${caller}: checkpoint.chunkStates must be (batch, dInner, nChunks, dState) = ${formatShape(expected)}, got ${formatShape(states.shape)}`,
    );
  }
}

/** Checks the backward's arguments: the forward's, dy, dLastState and the checkpoint. */
export function checkScanBackward(
  ctx: GpuContext,
  caller: string,
  args: SelectiveScanBackwardArgs,
  versions: readonly ScanBackwardKernel[],
): CheckedScan {
  const { dy, dLastState, checkpoint, ...forward } = args;
  const checked = checkTrainingScan(ctx, caller, forward);
  const { batch, dInner, seqLen, dState } = checked;
  requireTensor(caller, 'dy', dy);
  dy.expectDType(caller, 'dy', 'f32');
  dy.expectShape(caller, 'dy', [batch, dInner, seqLen], '(batch, dInner, seqLen)');
  if (dLastState !== undefined && dLastState !== null) {
    requireTensor(caller, 'dLastState', dLastState);
    dLastState.expectDType(caller, 'dLastState', 'f32');
    dLastState.expectShape(caller, 'dLastState', [batch, dInner, dState], '(batch, dInner, dState)');
  }
  if (checkpoint !== undefined && checkpoint !== null) checkCheckpoint(caller, checked, checkpoint, versions);
  return checked;
}
