// One recurrent decode step for every row of a batch: O(1) per token, with the conv state
// (batch, dInner, dConv) and ssm state (batch, dInner, dState) of each layer updated in place on
// the GPU. Input ids come from a GPU buffer (the sampler's output), so consecutive steps need no
// CPU round trip.

import type { Tensor } from '@mamba-webgpu/tensor';
import { causalConv1dUpdate, selectiveStateUpdate } from '@mamba-webgpu/scan-kernels';
import type { MambaConfig } from '../loading/config.js';
import { stridedCopy } from '../kernels/strided-copy.js';
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
  const width = dtRank + 2 * dState;
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
    // Columns [offset, offset + cols) of a (batch, stride) matrix, as a contiguous (batch, cols).
    const slice = (src: Tensor, offset: number, cols: number, stride: number, label: string) =>
      stridedCopy(
        src,
        [1, batch, cols],
        { offset, strideB: 0, strideI: stride, strideJ: 1 },
        { label, outShape: [batch, cols] },
      );
    using x = slice(xz, 0, dInner, 2 * dInner, 'step/x');
    using z = slice(xz, dInner, dInner, 2 * dInner, 'step/z');
    using u = causalConv1dUpdate(x.ctx, {
      x: x,
      convState: state.conv,
      weight: w.conv1dWeight,
      bias: w.conv1dBias,
      silu: true,
    });
    using dbl = linear(u, w.xProj); // (batch, width)
    using dt = slice(dbl, 0, dtRank, width, 'step/dt');
    using delta = linear(dt, w.dtProj); // (batch, dInner)
    using B = slice(dbl, dtRank, dState, width, 'step/B');
    using C = slice(dbl, dtRank + dState, dState, width, 'step/C');
    using y = selectiveStateUpdate(x.ctx, {
      state: state.ssm,
      x: u,
      dt: delta,
      A: w.A,
      B: B,
      C: C,
      D: w.D,
      z: z,
      dtBias: w.dtProjBias,
      dtSoftplus: true,
    });
    h = linear(y, w.outProj, w.outProjBias);
  });
  const final = residualRmsNorm(h, weights.normF, residual, config.rmsNormEps);
  h.dispose();
  (residual as Tensor | undefined)?.dispose();
  final.residual.dispose();
  return final.out;
}
