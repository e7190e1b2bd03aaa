// Host code of the fused SSM decode kernel of the model's recurrent step (see ssm-step.wgsl).

import type { Tensor } from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, unpackWgsl } from '@mamba-webgpu/tensor/internal';
import ssmSource from './ssm-step.wgsl';

const SsmParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  d_state: 'u32',
  dt_rank: 'u32',
  width: 'u32',
});

export interface SsmStepArgs {
  xz: Tensor;
  convState: Tensor;
  /** (dInner, width + 3 + dState): LayerWeights.decodePack. */
  pack: Tensor;
  width: number;
  dbl: Tensor;
  dtWeight: Tensor;
  state: Tensor;
  y: Tensor;
  batch: number;
  dInner: number;
  dState: number;
  dtRank: number;
}

/**
 * The SSM half of a decode step: u = silu(conv step) (shifting the conv state), delta =
 * softplus(dt_proj(dt) + bias), h = exp(delta A) h + delta B u, y = (C . h + D u) * silu(z).
 */
export function ssmStep(a: SsmStepArgs): void {
  const ctx = a.xz.ctx;
  const dtype = a.dtWeight.dtype;
  const code = () =>
    SsmParams.wgsl +
    unpackWgsl('dt_weight', dtype) +
    ssmSource.replace('DT_WEIGHT_TYPE', dtype === 'f32' ? 'f32' : 'u32');
  const groups = Math.ceil((a.batch * a.dInner) / 16);
  ctx.dispatch({
    pipeline: ctx.pipeline(`mamba-model/ssm-step/${dtype}`, code),
    params: SsmParams.pack({
      batch: a.batch,
      d_inner: a.dInner,
      d_state: a.dState,
      dt_rank: a.dtRank,
      width: a.width,
    }),
    bindings: [
      a.xz.buffer,
      a.convState.buffer,
      a.pack.buffer,
      a.dbl.buffer,
      a.dtWeight.buffer,
      a.state.buffer,
      a.y.buffer,
    ],
    workgroups: dispatch1d(groups, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'decode/ssm-step',
  });
}
