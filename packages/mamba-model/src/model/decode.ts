// One recurrent decode step for every row of a batch: O(1) per token, with the conv state
// (batch, dInner, dConv) and ssm state (batch, dInner, dState) of each layer updated in place on
// the GPU. Input ids come from a GPU buffer (the sampler's output), so consecutive steps need no
// CPU round trip, and the whole step can be captured once and replayed (GpuContext.capture).
// Per layer: add+RMSNorm, in_proj GEMV, fused conv step (+SiLU), x_proj GEMV, fused SSM step
// (dt_proj, softplus, state update, C readout, D skip, z gate), out_proj GEMV.

import { Tensor } from '@mamba-webgpu/tensor';
import { convStep, ssmStep } from '../kernels/decode-steps.js';
import type { MambaConfig } from '../loading/config.js';
import type { LayerState } from './forward.js';
import { embed, linear, residualRmsNorm } from './ops.js';
import type { MambaWeights } from './weights.js';

/** Runs the backbone for one token per row; returns the final normed hidden (batch, dModel). */
export function backboneStep(
  config: MambaConfig,
  weights: MambaWeights,
  ids: Tensor<'i32'>,
  batch: number,
  states: LayerState[],
): Tensor<'f32'> {
  const { dInner, dState, dtRank } = config;
  const ctx = ids.ctx;
  let h = embed(weights.embedding, ids); // (batch, dModel)
  let residual: Tensor<'f32'> | undefined;
  weights.layers.forEach((w, i) => {
    const state = states[i]!;
    const norm = residualRmsNorm(h, w.norm, residual, config.rmsNormEps);
    h.dispose();
    residual?.dispose();
    residual = norm.residual;
    using normed = norm.out;
    using xz = linear(normed, w.inProj, w.inProjBias); // (batch, 2*dInner)
    using u = Tensor.empty(ctx, [batch, dInner], 'f32', 'step/u');
    convStep(xz, state.conv, w.conv1dWeight, w.conv1dBias, u, batch, dInner);
    using dbl = linear(u, w.xProj); // (batch, dtRank + 2*dState)
    using y = Tensor.empty(ctx, [batch, dInner], 'f32', 'step/y');
    ssmStep({
      dbl,
      u,
      xz,
      dtWeight: w.dtProj,
      dtBias: w.dtProjBias,
      A: w.A,
      D: w.D,
      state: state.ssm,
      y,
      batch,
      dInner,
      dState,
      dtRank,
    });
    h = linear(y, w.outProj, w.outProjBias);
  });
  const final = residualRmsNorm(h, weights.normF, residual, config.rmsNormEps);
  h.dispose();
  (residual as Tensor | undefined)?.dispose();
  final.residual.dispose();
  return final.out;
}
