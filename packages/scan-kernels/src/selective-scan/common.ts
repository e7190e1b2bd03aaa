// Host helpers shared by the scan kernel versions: the override flags of a problem, bindings for
// optional inputs, and B/C strides per layout.

import type { Binding, Tensor } from '@mamba-webgpu/tensor';
import type { ScanProblem } from './types.js';

/** WGSL override flags shared by every scan kernel. */
export function scanFlags(p: ScanProblem): Record<string, number> {
  return {
    HAS_D: p.D ? 1 : 0,
    HAS_Z: p.z ? 1 : 0,
    HAS_BIAS: p.deltaBias ? 1 : 0,
    SOFTPLUS: p.deltaSoftplus ? 1 : 0,
    HAS_INIT: p.initialState ? 1 : 0,
  };
}

/** The same flags as a bit mask (bits: D 1, z 2, deltaBias 4, softplus 8, initialState 16). */
export function scanFlagBits(p: ScanProblem): number {
  const f = scanFlags(p);
  return f.HAS_D! | (f.HAS_Z! << 1) | (f.HAS_BIAS! << 2) | (f.SOFTPLUS! << 3) | (f.HAS_INIT! << 4);
}

/** The tensor's buffer, or `fallback`'s when absent (the kernel does not read it then). */
export function optionalBinding(t: Tensor | undefined, fallback: Tensor): Binding {
  return (t ?? fallback).buffer;
}

/** Element strides of B and C: index = b*batch + n*state + t*time. */
export function bcStrides(p: ScanProblem): { batch: number; state: number; time: number } {
  return p.bcLayout === 'bnl'
    ? { batch: p.dState * p.seqLen, state: p.seqLen, time: 1 }
    : { batch: p.seqLen * p.dState, state: 1, time: p.dState };
}
