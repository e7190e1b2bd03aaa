// Chunking invariance of the backward: versions with different chunk sizes (and workgroup shapes)
// give the same gradients within f32 tolerance, and a checkpoint only fits the chunk size it was
// saved with.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import {
  disposeBackwardArgs,
  disposeGrads,
  expectGradsClose,
  randomBackward,
  readGrads,
  uploadBackward,
} from './backward-test-data.js';
import { SCAN_BACKWARD_KERNELS } from './kernels.js';
import { selectiveScanBackwardWith, selectiveScanForwardForTrainingWith } from './selective-scan-backward.js';
import { chunkedReverseKernel } from './v1-chunked-reverse.js';

// Chunks of 64 (4 channels x 16 lanes x 4 steps) against the default's 256.
const small = chunkedReverseKernel('v1-chunked-reverse-64', {
  channels: 4,
  lanes: 16,
  steps: 4,
  tileStates: 4,
  forwardTileStates: 16,
});
const versions = [...SCAN_BACKWARD_KERNELS, small];

describe('chunking invariance of the backward', () => {
  it.each([
    [[2, 9, 1000, 16], true],
    [[1, 5, 2049, 16], false],
  ] as const)('%j (all options %s): chunks of 64 and of 256 give the same gradients', async (shape, all) => {
    const ctx = await testContext();
    const options = all
      ? { D: true, z: true, deltaBias: true, deltaSoftplus: true, initialState: true, dLastState: true }
      : { deltaSoftplus: true };
    const host = randomBackward(41, shape, options);
    const args = uploadBackward(ctx, host);
    const results: Record<string, Float32Array>[] = [];
    for (const kernel of [SCAN_BACKWARD_KERNELS[0]!, small]) {
      expect(kernel.chunkSize).toBe(kernel === small ? 64 : 256);
      const forward = selectiveScanForwardForTrainingWith(ctx, args, { kernel: kernel.name, versions });
      const grads = selectiveScanBackwardWith(ctx, { ...args, checkpoint: forward.checkpoint }, { versions });
      results.push(await readGrads(grads));
      disposeGrads(grads);
      forward.y.dispose();
      forward.lastState.dispose();
      forward.checkpoint.chunkStates.dispose();
    }
    const [large, smallChunks] = results;
    for (const [name, values] of Object.entries(large!)) {
      expectAllClose(smallChunks![name]!, values, { ...TOLERANCES.f32, label: `${name}: chunk 64 vs 256` });
    }
    expectGradsClose(smallChunks!, host, 'chunk 64');
    await ctx.checkErrors();
    disposeBackwardArgs(args);
  });
});
