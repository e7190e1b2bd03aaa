// Output allocation of the training scan's kernel versions (caller-owned tensors, poisoned on
// request so tests catch unwritten elements) and the release of their recorded temporaries.

import { Tensor } from '@mamba-webgpu/tensor';
import type { SelectiveScanGrads, ScanBackwardProblem, ScanTrainingProblem } from './types.js';
import { chunkStatesShape } from './forward-training.js';

function output(p: ScanTrainingProblem, shape: number[], label: string): Tensor<'f32'> {
  const t = Tensor.empty(p.ctx, shape, 'f32', `selective-scan-backward/${label}`);
  return p.poisonOutputs ? t.poison() : t;
}

/** New y (batch, dInner, seqLen), lastState (batch, dInner, dState), chunkStates (batch, dInner, nChunks, dState). */
export function allocateForwardOutputs(p: ScanTrainingProblem, chunkSize: number) {
  const { batch, dInner, seqLen, dState } = p;
  return {
    y: output(p, [batch, dInner, seqLen], 'y'),
    lastState: output(p, [batch, dInner, dState], 'last-state'),
    chunkStates: output(p, chunkStatesShape(p, chunkSize), 'chunk-states'),
  };
}

/** New gradient tensors for the inputs the problem has (shapes as in SelectiveScanGrads). */
export function allocateGrads(p: ScanBackwardProblem): SelectiveScanGrads {
  const { batch, dInner, seqLen, dState } = p;
  const bdl = [batch, dInner, seqLen];
  return {
    du: output(p, bdl, 'du'),
    dDelta: output(p, bdl, 'd-delta'),
    dA: output(p, [dInner, dState], 'd-A'),
    dB: output(p, [batch, dState, seqLen], 'd-B'),
    dC: output(p, [batch, dState, seqLen], 'd-C'),
    ...(p.D ? { dD: output(p, [dInner], 'd-D') } : {}),
    ...(p.z ? { dz: output(p, bdl, 'dz') } : {}),
    ...(p.deltaBias ? { dDeltaBias: output(p, [dInner], 'd-delta-bias') } : {}),
    ...(p.initialState ? { dInitialState: output(p, [batch, dInner, dState], 'd-initial-state') } : {}),
  };
}

/**
 * Disposes temporaries right after recording: a later user of a pooled buffer runs after these
 * dispatches (GPU order), and host writes flush pending work first (GpuContext.writeBuffer).
 */
export function releaseAfterRecording(temporaries: readonly Tensor[]): void {
  for (const t of temporaries) t.dispose();
}
