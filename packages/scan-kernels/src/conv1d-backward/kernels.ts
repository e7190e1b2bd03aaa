// The registry of causal conv1d backward kernel versions, iterated by the tests and the bench;
// causalConv1dBackward runs the last automatic version that supports a problem.

import type { KernelVersion } from '@mamba-webgpu/tensor/internal';
import type { Conv1dBackwardProblem } from './types.js';
import { v1TimeTiles } from './v1-time-tiles.js';

/** Every kernel version of causalConv1dBackward, in order of introduction. */
export const CONV1D_BACKWARD_KERNELS: readonly KernelVersion<Conv1dBackwardProblem>[] = [v1TimeTiles];
