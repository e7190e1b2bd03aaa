// selectiveStateUpdate v1-plain: the unfused update (v1-plain.wgsl), one invocation per
// (batch, channel). With a fused conv step or dt projection in the problem it runs them first as
// their own ops (causalConv1dUpdate, matmul): the composition v2-fused-step does in one dispatch.
// Reads x, dt, B, C, z through their strides; A, D, dtBias are made contiguous when they are not.

import { type Binding, type Tensor, matmul } from '@mamba-webgpu/tensor';
import {
  contiguousOperand,
  defineParams,
  dummyBinding,
  kernelPipeline,
  viewParams,
} from '@mamba-webgpu/tensor/internal';
import { grid1d, viewBinding } from '../bindings.js';
import { causalConv1dUpdate } from '../conv1d/causal-conv1d-update.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import type { StateUpdateKernel, StateUpdateProblem } from './types.js';
import body from './v1-plain.wgsl';

const WORKGROUP = 64;
/** Storage bindings of the kernel (state, x, dt, A, B, C, D, z, dtBias, y). */
const STORAGE_BINDINGS = 10;
const VIEWS = ['x', 'dt_in', 'b_vec', 'c_vec', 'z'] as const;

const Params = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  d_state: 'u32',
  ...viewParams('x', 2),
  ...viewParams('dt_in', 2),
  ...viewParams('b_vec', 2),
  ...viewParams('c_vec', 2),
  ...viewParams('z', 2),
});

const SPEC = {
  label: 'scan-kernels/selective-state-update/v1-plain',
  body,
  params: Params,
  libraries: [SSM_MATH],
  storage: [
    { name: 'state', access: 'read_write' },
    { name: 'x', view: 2 },
    { name: 'dt_in', view: 2 },
    { name: 'a_matrix' },
    { name: 'b_vec', view: 2 },
    { name: 'c_vec', view: 2 },
    { name: 'd_skip' },
    { name: 'z', view: 2 },
    { name: 'dt_bias' },
    { name: 'y', access: 'read_write' },
  ],
} as const;

/** The plain kernel on x (batch, dInner) and dt (batch, dInner), whatever their strides. */
function recordPlain(p: StateUpdateProblem, x: Tensor, dt: Tensor): void {
  const { ctx, batch, dInner, dState } = p;
  const temporaries: Tensor[] = [];
  const A = contiguousOperand(p.A, temporaries);
  const D = p.D && contiguousOperand(p.D, temporaries);
  const dtBias = p.dtBias && contiguousOperand(p.dtBias, temporaries);
  const viewed = { x, dt_in: dt, b_vec: p.B, c_vec: p.C, z: p.z };
  const windows: Record<string, Binding> = {};
  let viewValues: Record<string, number> = {};
  for (const name of VIEWS) {
    const view = viewBinding(ctx, name, viewed[name], 'selectiveStateUpdate', 2);
    windows[name] = view.binding;
    viewValues = { ...viewValues, ...view.params };
  }
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, {
      ...SPEC,
      constants: { WORKGROUP, HAS_D: !!D, HAS_Z: !!p.z, HAS_BIAS: !!dtBias, SOFTPLUS: p.dtSoftplus },
    }),
    params: Params.pack({ batch, d_inner: dInner, d_state: dState, ...viewValues } as Parameters<
      typeof Params.pack
    >[0]),
    bindings: [
      p.state.buffer,
      windows.x!,
      windows.dt_in!,
      A.buffer,
      windows.b_vec!,
      windows.c_vec!,
      D ? D.buffer : dummyBinding(ctx),
      windows.z!,
      dtBias ? dtBias.buffer : dummyBinding(ctx),
      p.out.buffer,
    ],
    workgroups: grid1d(ctx, batch * dInner, WORKGROUP),
    label: 'selective-state-update/v1-plain',
  });
  for (const t of temporaries) t.dispose();
}

export const v1Plain: StateUpdateKernel = {
  name: 'v1-plain',
  description:
    'one invocation per (batch, channel) loops over the states; a fused conv step or dt projection runs first as its own op',
  automatic: true,
  supports: (p) => p.ctx.limits.maxStorageBuffersPerShaderStage >= STORAGE_BINDINGS,
  prepare: () => undefined,
  record(p) {
    const temporaries: Tensor[] = [];
    let x = p.x;
    if (p.conv) {
      const { state, weight, bias } = p.conv;
      x = causalConv1dUpdate(p.ctx, { x, convState: state, weight, bias, silu: true });
      temporaries.push(x);
    }
    let dt = p.dt;
    if (p.dtProj) {
      dt = matmul(contiguousOperand(dt, temporaries), contiguousOperand(p.dtProj, temporaries));
      temporaries.push(dt);
    }
    recordPlain(p, x, dt);
    for (const t of temporaries) t.dispose();
  },
};
