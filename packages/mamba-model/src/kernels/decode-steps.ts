// Host code of the fused decode kernels (conv step, SSM step) of the model's recurrent step.

import { type Tensor } from '@mamba-webgpu/tensor';
import { defineParams, unpackWgsl } from '@mamba-webgpu/tensor/internal';
import convSource from './conv-step.wgsl';
import ssmSource from './ssm-step.wgsl';

const ConvParams = defineParams('Params', { batch: 'u32', d_inner: 'u32', width: 'u32', has_bias: 'u32' });
const SsmParams = defineParams('Params', { batch: 'u32', d_inner: 'u32', d_state: 'u32', dt_rank: 'u32' });

/**
 * u = silu(conv1d step) for one token per row; shifts `convState` (batch, dInner, width) in place.
 * xz: (batch, 2*dInner); weight: (dInner, width) f32; bias: (dInner) f32 or undefined.
 */
export function convStep(
  xz: Tensor,
  convState: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  u: Tensor,
  batch: number,
  dInner: number,
): void {
  const ctx = xz.ctx;
  const width = weight.shape[1]!;
  ctx.dispatch({
    pipeline: ctx.pipeline('mamba-model/conv-step', ConvParams.wgsl + convSource),
    params: ConvParams.pack({ batch, d_inner: dInner, width, has_bias: bias ? 1 : 0 }),
    bindings: [xz.buffer, convState.buffer, weight.buffer, (bias ?? weight).buffer, u.buffer],
    workgroups: [Math.ceil((batch * dInner) / 256)],
    label: 'decode/conv-step',
  });
}

export interface SsmStepArgs {
  dbl: Tensor;
  u: Tensor;
  xz: Tensor;
  dtWeight: Tensor;
  dtBias: Tensor;
  A: Tensor;
  D: Tensor;
  state: Tensor;
  y: Tensor;
  batch: number;
  dInner: number;
  dState: number;
  dtRank: number;
}

/** y = gate(C . h + D u) after h = exp(delta A) h + delta B u, delta = softplus(dt_proj(dt) + bias). */
export function ssmStep(a: SsmStepArgs): void {
  const ctx = a.u.ctx;
  const dtype = a.dtWeight.dtype;
  const code = () =>
    SsmParams.wgsl +
    unpackWgsl('dt_weight', dtype) +
    ssmSource.replace('DT_WEIGHT_TYPE', dtype === 'f32' ? 'f32' : 'u32');
  ctx.dispatch({
    pipeline: ctx.pipeline(`mamba-model/ssm-step/${dtype}`, code),
    params: SsmParams.pack({ batch: a.batch, d_inner: a.dInner, d_state: a.dState, dt_rank: a.dtRank }),
    bindings: [
      a.dbl.buffer,
      a.u.buffer,
      a.xz.buffer,
      a.dtWeight.buffer,
      a.dtBias.buffer,
      a.A.buffer,
      a.D.buffer,
      a.state.buffer,
      a.y.buffer,
    ],
    workgroups: [Math.ceil((a.batch * a.dInner) / 256)],
    label: 'decode/ssm-step',
  });
}
