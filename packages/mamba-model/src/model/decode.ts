// One recurrent decode step for every row of a batch: O(1) per token, with the conv state
// (batch, dInner, dConv) and ssm state (batch, dInner, dState) of each layer updated in place on
// the GPU. Input ids come from a GPU buffer (the sampler's output), so consecutive steps need no
// CPU round trip, and the whole step can be captured once and replayed (GpuContext.capture).
// Four dispatches per layer, the residual stream r kept in f32:
//   xz  = in_proj(rmsnorm(r) * norm_w)                       (GEMV with an RMSNorm prologue)
//   dbl = x_proj(silu(conv step(x)))                          (GEMV with a conv prologue)
//   y   = gate(ssm step(dt_proj, softplus, B, C, D), z)       (shifts conv state, updates ssm state)
//   r   = out_proj(y) + r                                     (GEMV with fused residual)

import { add, embedding, matmul, rmsNorm, Tensor } from '@mamba-webgpu/tensor';
import { ssmStep } from '../kernels/decode-steps.js';
import { convGemv, rmsNormGemv } from '../kernels/fused-gemv.js';
import type { MambaConfig } from '../loading/config.js';
import type { LayerState } from './forward.js';
import type { MambaWeights } from './weights.js';

/** Up to this batch the in_proj GEMV recomputes the RMSNorm in its prologue (one dispatch less). */
const FUSED_NORM_MAX_BATCH = 4;

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
  let residual: Tensor<'f32'> = embedding(ids, weights.embedding); // (batch, dModel)
  weights.layers.forEach((w, i) => {
    const state = states[i]!;
    let xz: Tensor<'f32'>;
    if (batch <= FUSED_NORM_MAX_BATCH) {
      xz = Tensor.empty(ctx, [batch, 2 * dInner], 'f32', 'step/xz');
      rmsNormGemv(residual, w.norm, w.inProj, config.rmsNormEps, xz);
    } else {
      // Large batches: the prologue would be repeated by every workgroup; norm once instead.
      using normed = rmsNorm(residual, w.norm, { eps: config.rmsNormEps });
      xz = matmul(normed, w.inProj);
    }
    if (w.inProjBias) {
      const biased = add(xz, w.inProjBias);
      xz.dispose();
      xz = biased;
    }
    using dbl = Tensor.empty(ctx, [batch, dtRank + 2 * dState], 'f32', 'step/dbl');
    convGemv(xz, state.conv, w.conv1dWeight, w.conv1dBias, w.xProj, dbl);
    using y = Tensor.empty(ctx, [batch, dInner], 'f32', 'step/y');
    ssmStep({
      xz,
      convState: state.conv,
      pack: w.decodePack,
      width: config.dConv,
      dbl,
      dtWeight: w.dtProj,
      state: state.ssm,
      y,
      batch,
      dInner,
      dState,
      dtRank,
    });
    xz.dispose();
    const next = matmul(y, w.outProj, { residual, ...(w.outProjBias ? { bias: w.outProjBias } : {}) });
    residual.dispose();
    residual = next;
  });
  const out = rmsNorm(residual, weights.normF, { eps: config.rmsNormEps });
  residual.dispose();
  return out;
}
