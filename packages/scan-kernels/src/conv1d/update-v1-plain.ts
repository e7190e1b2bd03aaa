// causalConv1dUpdate v1-plain: the unfused step (causal-conv1d-update.wgsl), one invocation per
// (batch, channel); with a projection it is followed by tensor's matmul (two dispatches), which is
// the composition v2-gemv fuses. x: (batch, dInner) view; output (batch, dInner) or (batch, n).

import { Tensor, matmul } from '@mamba-webgpu/tensor';
import {
  contiguousOperand,
  defineParams,
  dummyBinding,
  kernelPipeline,
  viewParams,
} from '@mamba-webgpu/tensor/internal';
import { grid1d, viewBinding } from '../bindings.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import type { CausalConv1dUpdateKernel, CausalConv1dUpdateProblem } from './causal-conv1d-update-types.js';
import body from './causal-conv1d-update.wgsl';

const WORKGROUP = 64;
/** Storage bindings of the kernel (x, weight, bias, conv_state, y). */
const STORAGE_BINDINGS = 5;

const Params = defineParams('Params', { batch: 'u32', d_inner: 'u32', width: 'u32', ...viewParams('x', 2) });

function recordPlain(p: CausalConv1dUpdateProblem, y: Tensor): void {
  const { ctx, batch, dInner, width } = p;
  const temporaries: Tensor[] = [];
  const weight = contiguousOperand(p.weight, temporaries);
  const bias = p.bias && contiguousOperand(p.bias, temporaries);
  const x = viewBinding(ctx, 'x', p.x, 'causalConv1dUpdate', 2);
  const spec = {
    label: 'scan-kernels/causal-conv1d-update/v1-plain',
    body,
    params: Params,
    constants: { WORKGROUP, HAS_BIAS: !!bias, SILU: p.silu, UPDATE_STATE: p.updateState },
    libraries: [SSM_MATH],
    storage: [
      { name: 'x', view: 2 },
      { name: 'weight' },
      { name: 'bias' },
      { name: 'conv_state', access: 'read_write' },
      { name: 'y', access: 'read_write' },
    ],
  } as const;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({ batch, d_inner: dInner, width, ...x.params } as Parameters<typeof Params.pack>[0]),
    bindings: [
      x.binding,
      weight.buffer,
      bias ? bias.buffer : dummyBinding(ctx),
      p.convState.buffer,
      y.buffer,
    ],
    workgroups: grid1d(ctx, batch * dInner, WORKGROUP),
    label: 'causal-conv1d-update/v1-plain',
  });
  for (const t of temporaries) t.dispose();
}

export const v1Plain: CausalConv1dUpdateKernel = {
  name: 'v1-plain',
  description:
    'one invocation per (batch, channel) shifts the state and sums the taps; a projection runs after it as a matmul',
  automatic: true,
  supports: (p) => p.ctx.limits.maxStorageBuffersPerShaderStage >= STORAGE_BINDINGS,
  record(p) {
    if (!p.projection) {
      recordPlain(p, p.out);
      return;
    }
    using y = Tensor.empty(p.ctx, [p.batch, p.dInner], 'f32', 'causal-conv1d-update/y');
    recordPlain(p, y);
    const temporaries: Tensor[] = [];
    matmul(y, contiguousOperand(p.projection, temporaries), { out: p.out });
    for (const t of temporaries) t.dispose();
  },
};
