// Host code of v1-sequential, the GPU reference scan: one invocation per (batch, channel).
// It reads u, delta, z, B, C and writes y through any strides.

import type { Tensor } from '@mamba-webgpu/tensor';
import { type KernelSpec, defineParams, kernelPipeline, viewParams } from '@mamba-webgpu/tensor/internal';
import { grid1d, plainBindings } from '../bindings.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import { layoutsReadable, operandView } from './common.js';
import type { ScanKernelVersion, ScanOperand, ScanProblem } from './types.js';
import source from './v1-sequential.wgsl';
import { MAX_D_STATE } from './validate.js';

const WORKGROUP = 64;

const V1Params = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  ...viewParams('u', 3),
  ...viewParams('delta', 3),
  ...viewParams('z', 3),
  ...viewParams('b_matrix', 3),
  ...viewParams('c_matrix', 3),
  ...viewParams('y', 3),
});

const STRIDED: readonly ScanOperand[] = ['u', 'delta', 'z', 'B', 'C', 'y'];

/** v1's kernel for a problem's optional inputs (compile-time flags). */
function v1Spec(p: ScanProblem): KernelSpec {
  return {
    label: 'scan-kernels/v1-sequential',
    body: source,
    params: V1Params,
    constants: {
      WORKGROUP,
      MAX_STATE: MAX_D_STATE,
      HAS_D: !!p.D,
      HAS_Z: !!p.z,
      HAS_BIAS: !!p.deltaBias,
      SOFTPLUS: p.deltaSoftplus,
      HAS_INIT: p.hasInitialState,
    },
    libraries: [SSM_MATH],
    storage: [
      { name: 'u', view: 3 },
      { name: 'delta', view: 3 },
      { name: 'a_matrix' },
      { name: 'b_matrix', view: 3 },
      { name: 'c_matrix', view: 3 },
      { name: 'd_skip' },
      { name: 'z', view: 3 },
      { name: 'delta_bias' },
      { name: 'y', access: 'read_write', view: 3 },
      { name: 'state', access: 'read_write' },
    ],
  };
}

/** Records v1-sequential: y (batch, dInner, seqLen), lastState (batch, dInner, dState). */
export function recordV1Sequential(p: ScanProblem): Tensor[] {
  const caller = 'selective-scan/v1-sequential';
  const ctx = p.ctx;
  const plain = plainBindings(ctx, caller);
  const views = {
    u: operandView(p, 'u', p.u, caller),
    delta: operandView(p, 'delta', p.delta, caller),
    z: operandView(p, 'z', p.z, caller),
    b: operandView(p, 'b_matrix', p.B, caller),
    c: operandView(p, 'c_matrix', p.C, caller),
    y: operandView(p, 'y', p.y, caller),
  };
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, v1Spec(p)),
    params: V1Params.pack({
      batch: p.batch,
      d_inner: p.dInner,
      seq_len: p.seqLen,
      d_state: p.dState,
      ...views.u.params,
      ...views.delta.params,
      ...views.z.params,
      ...views.b.params,
      ...views.c.params,
      ...views.y.params,
    } as Parameters<typeof V1Params.pack>[0]),
    bindings: [
      views.u.binding,
      views.delta.binding,
      plain(p.A, 'A'),
      views.b.binding,
      views.c.binding,
      plain(p.D, 'D'),
      views.z.binding,
      plain(p.deltaBias, 'deltaBias'),
      views.y.binding,
      plain(p.lastState, 'lastState'),
    ],
    workgroups: grid1d(ctx, p.batch * p.dInner, WORKGROUP),
    label: caller,
  });
  return [];
}

export const v1Sequential: ScanKernelVersion = {
  name: 'v1-sequential',
  description:
    'one invocation per (batch, channel) walks the sequence; states in a private array (GPU reference)',
  automatic: true,
  strided: STRIDED,
  supports: (p) => layoutsReadable(STRIDED, p),
  record: recordV1Sequential,
};
