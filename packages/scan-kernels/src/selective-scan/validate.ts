// Boundary validation of the selective scan: shapes, dtypes, limits and output aliasing, with typed
// errors whose message names the function, what was expected and what came. Operands may be
// strided views: only their logical shapes are checked here (a view always lies inside its base).

import {
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  LimitError,
  ShapeError,
  formatShape,
} from '@mamba-webgpu/tensor';
import { bindingBudget, viewWindow } from '@mamba-webgpu/tensor/internal';
import { checkDState, requireTensor } from '../arg-checks.js';
import type { SelectiveScanArgs } from './types.js';

export { MAX_D_STATE } from '../arg-checks.js';

/** Storage buffers per shader stage the scan kernels bind. */
const STORAGE_BINDINGS = 10;

/** The sizes of a validated scan. */
export interface ScanSizes {
  batch: number;
  dInner: number;
  seqLen: number;
  dState: number;
}

/** Checks the arguments of a selective scan (operands and optional outputs); returns the sizes. */
export function validateScan(ctx: GpuContext, caller: string, args: SelectiveScanArgs): ScanSizes {
  ctx.assertUsable(caller);
  for (const name of ['u', 'delta', 'A', 'B', 'C'] as const) requireTensor(caller, name, args[name]);
  const { u, A } = args;
  u.expectDType(caller, 'u', 'f32');
  if (u.shape.length !== 3) {
    throw new ShapeError(`${caller}: u must be (batch, dInner, seqLen), got ${formatShape(u.shape)}`);
  }
  const [batch, dInner, seqLen] = u.shape as [number, number, number];
  if (seqLen < 1 || batch < 1 || dInner < 1) {
    throw new ShapeError(`${caller}: u must have batch, dInner, seqLen >= 1, got ${formatShape(u.shape)}`);
  }
  A.expectDType(caller, 'A', 'f32');
  if (A.shape.length !== 2 || A.shape[0] !== dInner) {
    throw new ShapeError(
      `${caller}: A must be (dInner, dState) = (${dInner}, *), got ${formatShape(A.shape)}`,
    );
  }
  const dState = A.shape[1]!;
  checkDState(caller, dState);
  const bdl = [[batch, dInner, seqLen], '(batch, dInner, seqLen)'] as const;
  const checks = [
    ['delta', args.delta, ...bdl],
    ['B', args.B, [batch, dState, seqLen], '(batch, dState, seqLen)'],
    ['C', args.C, [batch, dState, seqLen], '(batch, dState, seqLen)'],
    ['D', args.D, [dInner], '(dInner)'],
    ['z', args.z, ...bdl],
    ['deltaBias', args.deltaBias, [dInner], '(dInner)'],
    ['initialState', args.initialState, [batch, dInner, dState], '(batch, dInner, dState)'],
    ['lastStateOut', args.lastStateOut, [batch, dInner, dState], '(batch, dInner, dState)'],
    ['yOut', args.yOut, ...bdl],
  ] as const;
  for (const [name, t, dims, legend] of checks) {
    if (t === undefined || t === null) continue;
    requireTensor(caller, name, t);
    t.expectDType(caller, name, 'f32');
    t.expectShape(caller, name, dims, legend);
  }
  if (args.lastStateOut && !args.lastStateOut.isPlain) {
    throw new LayoutError(
      `${caller}: lastStateOut must be a plain tensor (contiguous from element 0), got a view`,
    );
  }
  const inputs = [args.u, args.delta, A, args.B, args.C, args.D, args.z, args.deltaBias, args.initialState];
  for (const [name, out] of [
    ['lastStateOut', args.lastStateOut],
    ['yOut', args.yOut],
  ] as const) {
    if (out && inputs.some((t) => t?.sharesStorage(out))) {
      throw new InvalidArgumentError(`${caller}: ${name} must not share memory with an input`, name);
    }
  }
  if (args.yOut && args.lastStateOut?.sharesStorage(args.yOut)) {
    throw new InvalidArgumentError(`${caller}: yOut must not share memory with lastStateOut`, 'yOut');
  }
  // Every operand is bound over the span its view touches: refuse spans over one binding now.
  const budget = bindingBudget(ctx);
  for (const [name, t] of checks) if (t) viewWindow(t, caller, name, budget);
  viewWindow(u, caller, 'u', budget);
  viewWindow(A, caller, 'A', budget);
  if (ctx.limits.maxStorageBuffersPerShaderStage < STORAGE_BINDINGS) {
    throw new LimitError(
      `${caller}: needs ${STORAGE_BINDINGS} storage buffers per shader stage, this adapter allows ${ctx.limits.maxStorageBuffersPerShaderStage}`,
    );
  }
  return { batch, dInner, seqLen, dState };
}
