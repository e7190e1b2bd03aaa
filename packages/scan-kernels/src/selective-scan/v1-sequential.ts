// Host code of v1-sequential, the GPU reference scan: one invocation per (batch, channel).

import type { GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, workgroupCount } from '@mamba-webgpu/tensor/internal';
import { bcStrides, optionalBinding, scanFlags } from './common.js';
import type { ScanKernel, ScanProblem } from './types.js';
import source from './v1-sequential.wgsl';

export const V1Params = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  bc_batch_stride: 'u32',
  bc_state_stride: 'u32',
  bc_time_stride: 'u32',
});
const code = V1Params.wgsl + source;

/** Records v1-sequential: y (batch, dInner, seqLen), lastState (batch, dInner, dState). */
export function recordV1Sequential(ctx: GpuContext, p: ScanProblem, y: Tensor, lastState: Tensor): Tensor[] {
  const strides = bcStrides(p);
  ctx.dispatch({
    pipeline: ctx.pipeline('scan-kernels/v1-sequential', code, scanFlags(p)),
    params: V1Params.pack({
      batch: p.batch,
      d_inner: p.dInner,
      seq_len: p.seqLen,
      d_state: p.dState,
      bc_batch_stride: strides.batch,
      bc_state_stride: strides.state,
      bc_time_stride: strides.time,
    }),
    bindings: [
      p.u.buffer,
      p.delta.buffer,
      p.A.buffer,
      p.B.buffer,
      p.C.buffer,
      optionalBinding(p.D, p.u),
      optionalBinding(p.z, p.u),
      optionalBinding(p.deltaBias, p.u),
      y.buffer,
      lastState.buffer,
    ],
    workgroups: dispatch1d(
      workgroupCount(p.batch * p.dInner, 64),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: 'selective-scan/v1-sequential',
  });
  return [];
}

export const v1Sequential: ScanKernel = {
  name: 'v1-sequential',
  description:
    'one invocation per (batch, channel) walks the sequence; states in a private array (GPU reference)',
  // B/C rows in place and strided delta/z/y are layouts of the fused kernel only.
  supports: (_ctx, p) => !p.bcRows && !p.views,
  record: recordV1Sequential,
};
