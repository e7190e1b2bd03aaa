// Boundary validation of the selective scan: shapes, dtypes and limits, with typed errors whose
// message names the function, what was expected and what came.

import {
  type GpuContext,
  InvalidArgumentError,
  LimitError,
  ShapeError,
  type Tensor,
} from '@mamba-webgpu/tensor';
import type { BcLayout, BcRows, ScanProblem, ScanViews, SelectiveScanArgs, StridedView } from './types.js';

/** Largest dState the kernels accept (the official kernel's limit as well). */
export const MAX_D_STATE = 256;

function requireTensor(caller: string, name: string, t: unknown): asserts t is Tensor {
  if (t === undefined || t === null || typeof t !== 'object' || !('shape' in t)) {
    throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor, got ${String(t)}`, name);
  }
}

/** Checks that a strided view of (batch, dInner, seqLen) elements stays inside its tensor. */
function checkView(
  caller: string,
  name: string,
  t: Tensor,
  v: StridedView,
  batch: number,
  dInner: number,
  seqLen: number,
): void {
  const values = [v.offset, v.batch, v.channel, v.time];
  if (values.some((x) => !Number.isInteger(x) || x < 0)) {
    throw new InvalidArgumentError(
      `${caller}: the ${name} view needs non-negative integer offset and strides, got ${JSON.stringify(v)}`,
      name,
    );
  }
  const last = v.offset + (batch - 1) * v.batch + (dInner - 1) * v.channel + (seqLen - 1) * v.time;
  if (last >= t.numel) {
    throw new ShapeError(
      `${caller}: the ${name} view reaches element ${last} of a tensor of ${t.numel} (${t.shape.join(', ')}); check its strides`,
    );
  }
}

/** Checks the arguments of a selective scan and returns the problem with its sizes. */
export function validateScan(
  ctx: GpuContext,
  caller: string,
  args: SelectiveScanArgs,
  bcLayout: BcLayout = 'bnl',
  bcRows?: BcRows,
  views?: ScanViews,
): ScanProblem {
  ctx.assertUsable(caller);
  for (const name of ['u', 'delta', 'A', 'B', 'C'] as const) requireTensor(caller, name, args[name]);
  const { u, delta, A, B, C } = args;
  u.expectDType(caller, 'u', 'f32');
  if (u.shape.length !== 3) {
    throw new ShapeError(`${caller}: u must be (batch, dInner, seqLen), got (${u.shape.join(', ')})`);
  }
  const [batch, dInner, seqLen] = u.shape as [number, number, number];
  if (seqLen < 1 || batch < 1 || dInner < 1) {
    throw new ShapeError(`${caller}: u must have batch, dInner, seqLen >= 1, got (${u.shape.join(', ')})`);
  }
  A.expectDType(caller, 'A', 'f32');
  if (A.shape.length !== 2 || A.shape[0] !== dInner) {
    throw new ShapeError(
      `${caller}: A must be (dInner, dState) = (${dInner}, *), got (${A.shape.join(', ')})`,
    );
  }
  const dState = A.shape[1]!;
  if (dState < 1 || dState > MAX_D_STATE) {
    throw new LimitError(`${caller}: dState must be in 1..${MAX_D_STATE}, got ${dState}`);
  }
  const bc =
    bcLayout === 'bnl'
      ? { dims: [batch, dState, seqLen], legend: '(batch, dState, seqLen)' }
      : { dims: [batch, seqLen, dState], legend: '(batch, seqLen, dState)' };
  delta.expectDType(caller, 'delta', 'f32');
  if (views?.delta) checkView(caller, 'delta', delta, views.delta, batch, dInner, seqLen);
  else delta.expectShape(caller, 'delta', [batch, dInner, seqLen], '(batch, dInner, seqLen)');
  if (views?.z) {
    requireTensor(caller, 'z', args.z);
    args.z.expectDType(caller, 'z', 'f32');
    checkView(caller, 'z', args.z, views.z, batch, dInner, seqLen);
  }
  if (bcRows) {
    const { width, bOffset, cOffset } = bcRows;
    B.expectDType(caller, 'B', 'f32');
    if (B !== C)
      throw new InvalidArgumentError(`${caller}: with B/C rows, B and C must be the same tensor`, 'C');
    if (B.numel !== batch * seqLen * width) {
      throw new ShapeError(
        `${caller}: the B/C rows tensor must hold (batch, seqLen, width) = (${batch}, ${seqLen}, ${width}) elements, got (${B.shape.join(', ')})`,
      );
    }
    for (const [name, offset] of [
      ['bOffset', bOffset],
      ['cOffset', cOffset],
    ] as const) {
      if (!Number.isInteger(offset) || offset < 0 || offset + dState > width) {
        throw new InvalidArgumentError(
          `${caller}: ${name} must be in [0, width - dState] = [0, ${width - dState}], got ${offset}`,
          name,
        );
      }
    }
  } else {
    for (const [name, t] of [
      ['B', B],
      ['C', C],
    ] as const) {
      t.expectDType(caller, name, 'f32');
      t.expectShape(caller, name, bc.dims, bc.legend);
    }
  }
  const optional = [
    ['D', args.D, [dInner], '(dInner)'],
    ['z', views?.z ? undefined : args.z, [batch, dInner, seqLen], '(batch, dInner, seqLen)'],
    ['deltaBias', args.deltaBias, [dInner], '(dInner)'],
    ['initialState', args.initialState, [batch, dInner, dState], '(batch, dInner, dState)'],
  ] as const;
  for (const [name, t, dims, legend] of optional) {
    if (t === undefined || t === null) continue;
    requireTensor(caller, name, t);
    t.expectDType(caller, name, 'f32');
    t.expectShape(caller, name, dims, legend);
  }
  ctx.checkBindingSize(caller, 'u', batch * dInner * seqLen * 4);
  ctx.checkBindingSize(caller, 'B', batch * dState * seqLen * 4);
  if (ctx.limits.maxStorageBuffersPerShaderStage < 10) {
    throw new LimitError(
      `${caller}: needs 10 storage buffers per shader stage, this adapter allows ${ctx.limits.maxStorageBuffersPerShaderStage}`,
    );
  }
  return {
    ...args,
    D: args.D ?? undefined,
    z: args.z ?? undefined,
    deltaBias: args.deltaBias ?? undefined,
    initialState: args.initialState ?? undefined,
    deltaSoftplus: args.deltaSoftplus ?? false,
    batch,
    dInner,
    seqLen,
    dState,
    bcLayout: bcRows ? 'bln' : bcLayout,
    bcRows,
    views,
  };
}
