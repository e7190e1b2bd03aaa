// The registry of selective-scan backward versions (each with the training forward whose chunk
// states it reads), iterated by the tests and the bench; the op picks the last automatic one.

import type { ScanBackwardKernel } from './types.js';
import { v1ChunkedReverse } from './v1-chunked-reverse.js';

/** Every backward version, in order of introduction. */
export const SCAN_BACKWARD_KERNELS: readonly ScanBackwardKernel[] = [v1ChunkedReverse];
