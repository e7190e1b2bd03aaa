// Shared WGSL libraries: named fragments of WGSL functions (math, SSM steps) that kernels include
// by name through the builder instead of re-typing them. A library lists the libraries it uses;
// the builder includes each once, dependencies first.

import { InvalidArgumentError } from '../errors.js';
import mathSource from './math.wgsl';
import reduceSource from './reduce.wgsl';

/** A named WGSL fragment and the libraries its functions call. */
export interface WgslLibrary {
  readonly name: string;
  readonly code: string;
  readonly requires: readonly WgslLibrary[];
}

/** Defines a library: `wgslLibrary('ssm-math', source, [MATH])`. */
export function wgslLibrary(name: string, code: string, requires: readonly WgslLibrary[] = []): WgslLibrary {
  return Object.freeze({ name, code, requires: Object.freeze([...requires]) });
}

/** The libraries in inclusion order (dependencies first, each once; one code per name). */
export function resolveLibraries(roots: readonly WgslLibrary[]): WgslLibrary[] {
  const order: WgslLibrary[] = [];
  const seen = new Map<string, WgslLibrary>();
  const visit = (lib: WgslLibrary, path: string[]) => {
    const prior = seen.get(lib.name);
    if (prior) {
      if (prior.code !== lib.code) {
        throw new InvalidArgumentError(
          `resolveLibraries: two different WGSL libraries are named ${lib.name}`,
          'libraries',
        );
      }
      return;
    }
    if (path.includes(lib.name)) {
      throw new InvalidArgumentError(
        `resolveLibraries: WGSL libraries form a cycle: ${[...path, lib.name].join(' -> ')}`,
        'libraries',
      );
    }
    for (const dep of lib.requires) visit(dep, [...path, lib.name]);
    seen.set(lib.name, lib);
    order.push(lib);
  };
  for (const lib of roots) visit(lib, []);
  return order;
}

/** `math`: silu, sigmoid, softplus (PyTorch's threshold 20), as every kernel uses them. */
export const MATH: WgslLibrary = wgslLibrary('math', mathSource);

/** Threads of a workgroup the `workgroup-reduce` library reduces over (its REDUCE_THREADS). */
export const REDUCE_THREADS = 256;

/** `workgroup-reduce`: `workgroup_sum` and `workgroup_max` over REDUCE_THREADS threads. */
export const REDUCE: WgslLibrary = wgslLibrary(
  'workgroup-reduce',
  `const REDUCE_THREADS: u32 = ${REDUCE_THREADS}u;\n${reduceSource}`,
);
