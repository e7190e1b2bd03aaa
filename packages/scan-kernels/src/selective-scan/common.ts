// Host helpers shared by the scan kernel versions: the run-time flag bits, which operand layouts a
// version reads, the contiguous copies for the others, and the bindings + view Params of operands.

import type { Tensor } from '@mamba-webgpu/tensor';
import { contiguousOperand } from '@mamba-webgpu/tensor/internal';
import { type OperandView, viewBinding } from '../bindings.js';
import type { ScanOperand, ScanProblem } from './types.js';

/** Bits of the fused kernels' `params.flags` (the WGSL constants of the same names). */
export const SCAN_FLAG_BITS = {
  FLAG_D: 1,
  FLAG_Z: 2,
  FLAG_BIAS: 4,
  FLAG_SOFTPLUS: 8,
  FLAG_INIT: 16,
} as const;

/** The flag word of a problem (see SCAN_FLAG_BITS). */
export function scanFlagBits(p: ScanProblem): number {
  const f = SCAN_FLAG_BITS;
  return (
    (p.D ? f.FLAG_D : 0) |
    (p.z ? f.FLAG_Z : 0) |
    (p.deltaBias ? f.FLAG_BIAS : 0) |
    (p.deltaSoftplus ? f.FLAG_SOFTPLUS : 0) |
    (p.hasInitialState ? f.FLAG_INIT : 0)
  );
}

const INPUTS = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'deltaBias'] as const;

/** Whether every operand outside `strided` is plain (absent optional operands always are). */
export function layoutsReadable(strided: readonly ScanOperand[], p: ScanProblem): boolean {
  return [...INPUTS, 'y' as const].every((name) => strided.includes(name) || (p[name]?.isPlain ?? true));
}

/**
 * The problem with every input outside `strided` replaced by its contiguous copy (the one shared
 * path, `contiguousOperand`; copies pushed onto `temporaries`). y is an output: not copied.
 */
export function withContiguousInputs(
  strided: readonly ScanOperand[],
  p: ScanProblem,
  temporaries: Tensor[],
): ScanProblem {
  const resolved: Record<string, unknown> = { ...p };
  for (const name of INPUTS) {
    const t = p[name];
    if (t && !strided.includes(name)) resolved[name] = contiguousOperand(t, temporaries);
  }
  return resolved as unknown as ScanProblem;
}

/** The binding over the view `t` (batch, *, *) and its index Params (bindings.ts's viewBinding, rank 3). */
export function operandView(
  p: ScanProblem,
  name: string,
  t: Tensor | undefined,
  caller: string,
): OperandView {
  return viewBinding(p.ctx, name, t, caller, 3);
}

export { type OperandView, effectiveStrides } from '../bindings.js';
