// Host code of selectiveStateUpdate: one token of the selective scan, in place on a GPU state.

import {
  type GpuContext,
  InvalidArgumentError,
  LimitError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, workgroupCount } from '@mamba-webgpu/tensor/internal';
import { MAX_D_STATE } from '../selective-scan/validate.js';
import source from './selective-state-update.wgsl';

const Params = defineParams('Params', { batch: 'u32', d_inner: 'u32', d_state: 'u32' });
const code = Params.wgsl + source;

export interface SelectiveStateUpdateArgs {
  /** (batch, dInner, dState): updated in place. */
  state: Tensor;
  /** (batch, dInner) */
  x: Tensor;
  /** (batch, dInner), before dtBias and softplus. */
  dt: Tensor;
  /** (dInner, dState), negative. */
  A: Tensor;
  /** (batch, dState) */
  B: Tensor;
  /** (batch, dState) */
  C: Tensor;
  /** (dInner) */
  D?: Tensor | undefined;
  /** (batch, dInner) gate */
  z?: Tensor | undefined;
  /** (dInner) */
  dtBias?: Tensor | undefined;
  dtSoftplus?: boolean | undefined;
}

/**
 * One decode step: `dt = softplus(dt + dtBias)`, `state = exp(dt A) state + dt B x` (in place),
 * returns y (batch, dInner) = `(C . state + D x) * silu(z)`, owned by the caller.
 */
export function selectiveStateUpdate(ctx: GpuContext, args: SelectiveStateUpdateArgs): Tensor<'f32'> {
  const caller = 'selectiveStateUpdate';
  ctx.assertUsable(caller);
  for (const name of ['state', 'x', 'dt', 'A', 'B', 'C'] as const) {
    if (!(args[name] instanceof Tensor))
      throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor`, name);
  }
  const { state, x, dt, A, B, C, D, z, dtBias } = args;
  state.expectDType(caller, 'state', 'f32');
  if (state.shape.length !== 3) {
    throw new ShapeError(`${caller}: state must be (batch, dInner, dState), got ${formatShape(state.shape)}`);
  }
  const [batch, dInner, dState] = state.shape as [number, number, number];
  if (dState < 1 || dState > MAX_D_STATE) {
    throw new LimitError(`${caller}: dState must be in 1..${MAX_D_STATE}, got ${dState}`);
  }
  const checks = [
    ['x', x, [batch, dInner], '(batch, dInner)'],
    ['dt', dt, [batch, dInner], '(batch, dInner)'],
    ['A', A, [dInner, dState], '(dInner, dState)'],
    ['B', B, [batch, dState], '(batch, dState)'],
    ['C', C, [batch, dState], '(batch, dState)'],
    ['D', D, [dInner], '(dInner)'],
    ['z', z, [batch, dInner], '(batch, dInner)'],
    ['dtBias', dtBias, [dInner], '(dInner)'],
  ] as const;
  for (const [name, t, dims, legend] of checks) {
    if (!t) continue;
    t.expectDType(caller, name, 'f32');
    t.expectShape(caller, name, dims, legend);
  }
  const y = Tensor.empty(ctx, [batch, dInner], 'f32', 'selective-state-update/y');
  ctx.dispatch({
    pipeline: ctx.pipeline('scan-kernels/selective-state-update', code, {
      HAS_D: D ? 1 : 0,
      HAS_Z: z ? 1 : 0,
      HAS_BIAS: dtBias ? 1 : 0,
      SOFTPLUS: args.dtSoftplus ? 1 : 0,
    }),
    params: Params.pack({ batch, d_inner: dInner, d_state: dState }),
    bindings: [
      state.buffer,
      x.buffer,
      dt.buffer,
      A.buffer,
      B.buffer,
      C.buffer,
      (D ?? x).buffer,
      (z ?? x).buffer,
      (dtBias ?? x).buffer,
      y.buffer,
    ],
    workgroups: dispatch1d(workgroupCount(batch * dInner, 64), ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'selective-state-update',
  });
  return y;
}
