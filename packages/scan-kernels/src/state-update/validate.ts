// Boundary validation of selectiveStateUpdate: shapes, dtypes, layouts and limits, with typed
// errors whose message names the function, what was expected and what came.

import {
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { checkConvWeight, checkDState, expectF32, requireTensor as requireTensorOf } from '../arg-checks.js';
import type { SelectiveStateUpdateArgs, StateUpdateProblem } from './types.js';

const CALLER = 'selectiveStateUpdate';

function requireTensor(name: string, t: unknown): asserts t is Tensor {
  requireTensorOf(CALLER, name, t);
}

function expectTensor(name: string, t: unknown, dims: readonly number[], legend: string): void {
  expectF32(CALLER, name, t, dims, legend);
}

/** In-place outputs are bound as plain buffers and must not alias an input. */
function expectWritable(name: string, t: Tensor, inputs: readonly (Tensor | undefined)[]): void {
  if (!t.isPlain) {
    throw new LayoutError(
      `${CALLER}: ${name} must be a contiguous tensor (it is updated in place), got a strided view`,
    );
  }
  for (const other of inputs) {
    if (other && other !== t && other.sharesStorage(t)) {
      throw new InvalidArgumentError(`${CALLER}: ${name} must not share memory with another argument`, name);
    }
  }
}

/** The conv step's width, after checking its tensors. */
function checkConv(args: SelectiveStateUpdateArgs, batch: number, dInner: number): number {
  const conv = args.conv;
  if (!conv) return 0;
  requireTensor('conv.weight', conv.weight);
  const width = checkConvWeight(CALLER, 'conv.weight', conv.weight, dInner, 'conv width');
  expectTensor('conv.state', conv.state, [batch, dInner, width], '(batch, dInner, width)');
  if (conv.bias) expectTensor('conv.bias', conv.bias, [dInner], '(dInner)');
  return width;
}

/** Checks the arguments and returns the problem with its sizes and output (allocated unless given). */
export function validateStateUpdate(ctx: GpuContext, args: SelectiveStateUpdateArgs): StateUpdateProblem {
  ctx.assertUsable(CALLER);
  for (const name of ['state', 'x', 'dt', 'A', 'B', 'C'] as const) requireTensor(name, args[name]);
  const { state, x, dt, A, B, C, dtProj } = args;
  state.expectDType(CALLER, 'state', 'f32');
  if (state.shape.length !== 3) {
    throw new ShapeError(`${CALLER}: state must be (batch, dInner, dState), got ${formatShape(state.shape)}`);
  }
  const [batch, dInner, dState] = state.shape as [number, number, number];
  checkDState(CALLER, dState);
  let dtRank = dInner;
  if (dtProj) {
    requireTensor('dtProj', dtProj);
    dtProj.expectDType(CALLER, 'dtProj', 'f32', 'f16', 'bf16', 'q8', 'q4');
    if (dtProj.shape.length !== 2 || dtProj.shape[0] !== dInner) {
      throw new ShapeError(
        `${CALLER}: dtProj must be (dInner, dtRank) = (${dInner}, *), got ${formatShape(dtProj.shape)}`,
      );
    }
    dtRank = dtProj.shape[1]!;
  }
  const width = checkConv(args, batch, dInner);
  const checks = [
    ['x', x, [batch, dInner], '(batch, dInner)'],
    ['dt', dt, [batch, dtRank], dtProj ? '(batch, dtRank)' : '(batch, dInner)'],
    ['A', A, [dInner, dState], '(dInner, dState)'],
    ['B', B, [batch, dState], '(batch, dState)'],
    ['C', C, [batch, dState], '(batch, dState)'],
    ['D', args.D, [dInner], '(dInner)'],
    ['z', args.z, [batch, dInner], '(batch, dInner)'],
    ['dtBias', args.dtBias, [dInner], '(dInner)'],
  ] as const;
  for (const [name, t, dims, legend] of checks) {
    if (t !== undefined && t !== null) expectTensor(name, t, dims, legend);
  }
  const inputs = [x, dt, A, B, C, args.D, args.z, args.dtBias, dtProj, args.conv?.weight, args.conv?.bias];
  expectWritable('state', state, [...inputs, args.conv?.state, args.out]);
  if (args.conv) expectWritable('conv.state', args.conv.state, [...inputs, args.out]);
  if (args.out) {
    expectTensor('out', args.out, [batch, dInner], '(batch, dInner)');
    expectWritable('out', args.out, inputs);
  }
  return {
    ctx,
    batch,
    dInner,
    dState,
    dtRank,
    width,
    state,
    x,
    dt,
    A,
    B,
    C,
    D: args.D ?? undefined,
    z: args.z ?? undefined,
    dtBias: args.dtBias ?? undefined,
    dtSoftplus: !!args.dtSoftplus,
    conv: args.conv ?? undefined,
    dtProj: dtProj ?? undefined,
    out:
      (args.out as Tensor<'f32'> | undefined) ??
      Tensor.empty(ctx, [batch, dInner], 'f32', 'selective-state-update/y'),
  };
}
