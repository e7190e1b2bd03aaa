// The one shape of a kernel-version registry, shared by every op family (matmul, scan, conv,
// decode steps, backward kernels): versions side by side, each saying what it supports, the op
// picking the newest automatic one, tests and the bench iterating them all.

import { InvalidArgumentError } from '../errors.js';

/** One registered version of a kernel family over validated problems `P`. */
export interface KernelVersion<P, R = void> {
  /** `v1-sequential`, `gemm-v1`... unique within its family. */
  readonly name: string;
  /** What this version changes and why (one or two sentences). */
  readonly description: string;
  /**
   * Whether the op may pick it on its own; false for versions that are correct but measured
   * slower than an older one (kept for tests, the bench and tuning).
   */
  readonly automatic: boolean;
  /** Whether it handles this problem on this problem's device (shapes, strides, limits). */
  supports(problem: P): boolean;
  /** Records the kernel's dispatches for the problem. */
  record(problem: P): R;
}

/**
 * The version the op runs: the named one (it must support the problem), or the last automatic
 * version that supports it. Throws InvalidArgumentError starting with `caller` otherwise.
 */
export function pickKernel<P, R>(
  caller: string,
  versions: readonly KernelVersion<P, R>[],
  problem: P,
  name?: string,
): KernelVersion<P, R> {
  if (name !== undefined) {
    const chosen = kernelNamed(caller, versions, name);
    if (!chosen.supports(problem)) {
      throw new InvalidArgumentError(`${caller}: kernel ${name} does not support this problem`, 'kernel');
    }
    return chosen;
  }
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i]!;
    if (v.automatic && v.supports(problem)) return v;
  }
  throw new InvalidArgumentError(
    `${caller}: no kernel version supports this problem on this device (have ${versions.map((v) => v.name).join(', ')})`,
    'kernel',
  );
}

/** The version called `name`; InvalidArgumentError listing the names otherwise. */
export function kernelNamed<P, R>(
  caller: string,
  versions: readonly KernelVersion<P, R>[],
  name: string,
): KernelVersion<P, R> {
  const v = versions.find((k) => k.name === name);
  if (!v) {
    throw new InvalidArgumentError(
      `${caller}: no kernel named ${name}; have ${versions.map((k) => k.name).join(', ')}`,
      'kernel',
    );
  }
  return v;
}
