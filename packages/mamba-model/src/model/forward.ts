// The Mamba forward pass on the GPU over a batch of equal-length sequences (prefill), built
// from tensor ops and the scan kernels. Layouts: the residual stream and projections are
// token-major (batch*seqLen, channels); the causal conv and the selective scan run channel-major
// (batch, dInner, seqLen); `stridedCopy` moves between the two.
//   per layer: residual += h; normed = rmsnorm(residual) * w          (fused, residual in f32)
//              xz = normed @ in_proj^T            (B*L, 2*dInner)
//              x = xz[:, :dInner] -> (B, dInner, L)
//              u = silu(conv1d(x) + bias)         (B, dInner, L)  [+ final conv state]
//              dbl = u^T @ x_proj^T              (B*L, dtRank + 2*dState) -> dt, B, C
//              delta = dt @ dt_proj^T            (B*L, dInner) -> (B, dInner, L)
//              y = scan(u, delta, A, B, C, D, z, dt_bias, softplus)  [+ last ssm state], y token-major
//                  (when aligned, selectiveScanRows reads B, C, delta and z in place)
//              h = y^T @ out_proj^T               (B*L, dModel)

import type { Tensor } from '@mamba-webgpu/tensor';
import { causalConv1d, selectiveScan } from '@mamba-webgpu/scan-kernels';
import { canScanRows, selectiveScanRows } from '@mamba-webgpu/scan-kernels/internal';
import type { MambaConfig } from '../loading/config.js';
import { stridedCopy, transpose12 } from '../kernels/strided-copy.js';
import { embed, linear, residualRmsNorm } from './ops.js';
import type { LayerWeights, MambaWeights } from './weights.js';

export interface LayerState {
  /** (batch, dInner, dConv) f32. */
  conv: Tensor<'f32'>;
  /** (batch, dInner, dState) f32. */
  ssm: Tensor<'f32'>;
}

/**
 * Runs one Mamba mixer over (batch*seqLen, dModel) normed input; returns h. With `state`, the
 * final conv and ssm states are written into it (in place). With `initial`, the sequence
 * continues from those states (a previous chunk's final ones; not the same tensors as `state`).
 */
export function mixerPrefill(
  config: MambaConfig,
  w: LayerWeights,
  normed: Tensor,
  batch: number,
  seqLen: number,
  state: LayerState | undefined,
  initial?: LayerState | undefined,
): Tensor<'f32'> {
  const { dInner, dState, dtRank } = config;
  const tokens = batch * seqLen;
  using xz = linear(normed, w.inProj, w.inProjBias); // (tokens, 2*dInner)
  // x, z: (B, dInner, L) from xz (B, L, 2*dInner).
  const splitView = (offset: number) => ({
    offset,
    strideB: seqLen * 2 * dInner,
    strideI: 1,
    strideJ: 2 * dInner,
  });
  using x = stridedCopy(xz, [batch, dInner, seqLen], splitView(0), { label: 'mixer/x' });
  const conv = causalConv1d(x.ctx, {
    x,
    weight: w.conv1dWeight,
    bias: w.conv1dBias,
    silu: true,
    finalStateOut: state?.conv,
    initialState: initial?.conv,
  });
  using u = conv.y;
  using uTokens = transpose12(u, batch, dInner, seqLen, 'mixer/u-tokens'); // (B, L, dInner)
  const width = dtRank + 2 * dState;
  using dbl = linear(uTokens, w.xProj); // (tokens, width)
  using dt = stridedCopy(
    dbl,
    [1, tokens, dtRank],
    { offset: 0, strideB: 0, strideI: width, strideJ: 1 },
    {
      label: 'mixer/dt',
      outShape: [tokens, dtRank],
    },
  );
  using deltaTokens = linear(dt, w.dtProj); // (tokens, dInner)
  const rows = { width, bOffset: dtRank, cOffset: dtRank + dState };
  const common = {
    u,
    A: w.A,
    D: w.D,
    deltaBias: w.dtProjBias,
    deltaSoftplus: true,
    lastStateOut: state?.ssm,
    initialState: initial?.ssm,
  };
  let scan: { y: Tensor<'f32'>; lastState: Tensor<'f32'> };
  let yTokens: Tensor<'f32'>;
  if (canScanRows(dState, rows)) {
    // The fused scan reads everything in place: B and C from x_proj's rows, delta token-major from
    // dt_proj's output, z from in_proj's output; it writes y token-major for out_proj.
    scan = selectiveScanRows(x.ctx, {
      ...common,
      bc: dbl,
      ...rows,
      delta: deltaTokens,
      deltaView: { offset: 0, batch: seqLen * dInner, channel: 1, time: dInner },
      z: xz,
      zView: { offset: dInner, batch: seqLen * 2 * dInner, channel: 1, time: 2 * dInner },
      tokenMajorY: true,
    });
    yTokens = scan.y;
  } else {
    using delta = transpose12(deltaTokens, batch, seqLen, dInner, 'mixer/delta');
    using z = stridedCopy(xz, [batch, dInner, seqLen], splitView(dInner), { label: 'mixer/z' });
    const bcView = (offset: number) => ({ offset, strideB: seqLen * width, strideI: 1, strideJ: width });
    using B = stridedCopy(dbl, [batch, dState, seqLen], bcView(dtRank), { label: 'mixer/B' });
    using C = stridedCopy(dbl, [batch, dState, seqLen], bcView(dtRank + dState), { label: 'mixer/C' });
    scan = selectiveScan(x.ctx, { ...common, delta, B, C, z });
    yTokens = transpose12(scan.y, batch, dInner, seqLen, 'mixer/y-tokens');
    scan.y.dispose();
  }
  using yOut = yTokens;
  if (!state) {
    conv.finalState.dispose();
    scan.lastState.dispose();
  }
  return linear(yOut, w.outProj, w.outProjBias);
}

/**
 * Full forward over ids (batch, seqLen). Returns the final normed hidden states
 * (batch*seqLen, dModel) and, when `states` is given, writes each layer's final conv state and
 * ssm state into them (in place, so a captured prefill keeps writing the same tensors). With
 * `initialStates`, the ids continue a sequence whose earlier part left those states: a long
 * sequence runs chunk by chunk in memory constant in its length (chunked prefill).
 */
export function backbonePrefill(
  config: MambaConfig,
  weights: MambaWeights,
  ids: Tensor<'i32'>,
  batch: number,
  seqLen: number,
  states?: LayerState[],
  initialStates?: readonly LayerState[],
): Tensor<'f32'> {
  let h: Tensor<'f32'> = embed(weights.embedding, ids); // (tokens, dModel)
  let residual: Tensor<'f32'> | undefined;
  weights.layers.forEach((w, i) => {
    const norm = residualRmsNorm(h, w.norm, residual, config.rmsNormEps);
    h.dispose();
    residual?.dispose();
    residual = norm.residual;
    h = mixerPrefill(config, w, norm.out, batch, seqLen, states?.[i], initialStates?.[i]);
    norm.out.dispose();
  });
  const final = residualRmsNorm(h, weights.normF, residual, config.rmsNormEps);
  h.dispose();
  (residual as Tensor | undefined)?.dispose();
  final.residual.dispose();
  return final.out;
}
