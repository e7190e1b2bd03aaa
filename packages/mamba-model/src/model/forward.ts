// The Mamba forward pass on the GPU over a batch of equal-length sequences (prefill), built
// from tensor ops and the scan kernels. The residual stream and projections are token-major
// (batch*seqLen, channels); the conv and the scan see them through channel-major views
// (batch, channels, seqLen), read and written in place, so no layout is copied:
//   per layer: residual += h; normed = rmsnorm(residual) * w          (fused, residual in f32)
//              xz = normed @ in_proj^T            (B*L, 2*dInner) = [x | z]
//              u = silu(conv1d(x) + bias)         (B*L, dInner)    [+ final conv state]
//              dbl = u @ x_proj^T                 (B*L, dtRank + 2*dState) = [dt | B | C]
//              FalconMamba (bcdtRmsNorm): dt, B, C = rmsnorm(dt), rmsnorm(B), rmsnorm(C) (no weight)
//              delta = dt @ dt_proj^T             (B*L, dInner)
//              y = scan(u, delta, A, B, C, D, z, dt_bias, softplus)  (B*L, dInner) [+ last ssm state]
//              h = y @ out_proj^T                 (B*L, dModel)

import { Tensor, addRmsNorm, contiguous, embedding, matmul } from '@mamba-webgpu/tensor';
import { causalConv1d, selectiveScan } from '@mamba-webgpu/scan-kernels';
import { segmentRmsNorm } from '../kernels/segment-rmsnorm.js';
import type { MambaConfig } from '../loading/config.js';
import type { LayerWeights, MambaWeights } from './weights.js';

export interface LayerState {
  /** (batch, dInner, dConv) f32. */
  conv: Tensor<'f32'>;
  /** (batch, dInner, dState) f32. */
  ssm: Tensor<'f32'>;
}

/**
 * x_proj's output as the scan reads it. FalconMamba (`config.bcdtRmsNorm`): dt, B and C each
 * normalised by a weightless RMSNorm (eps `mixerRmsEps`), as transformers' `rms_forward`; the
 * input is consumed (disposed) and the normalised copy returned. Plain Mamba: `dbl` itself.
 * dbl: (..., dtRank + 2*dState) = [dt | B | C].
 */
export function selectionInputs(config: MambaConfig, dbl: Tensor<'f32'>): Tensor<'f32'> {
  if (!config.bcdtRmsNorm) return dbl;
  try {
    return segmentRmsNorm(dbl, [config.dtRank, config.dState, config.dState], { eps: config.mixerRmsEps });
  } finally {
    dbl.dispose();
  }
}

/**
 * Runs one Mamba mixer over normed input (batch, seqLen, dModel) or (batch*seqLen, dModel);
 * returns h of the same shape. With `initial`, the sequence continues from those states (a
 * previous chunk's final ones; not the tensors of `state`). With `state`, the final conv and ssm
 * states are written into it
 * (in place).
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
  const ctx = normed.ctx;
  const tokens = normed.shape.slice(0, -1); // (batch, seqLen) or (batch*seqLen)
  const width = dtRank + 2 * dState;
  /** The (batch, channels, seqLen) view of a token-major (..., channels) tensor. */
  const channelMajor = (t: Tensor, channels: number) =>
    t.view({ shape: [batch, channels, seqLen], strides: [seqLen * channels, 1, channels] });
  using xz = matmul(normed, w.inProj, { bias: w.inProjBias }); // (..., 2*dInner) = [x | z]
  using xzView = channelMajor(xz, 2 * dInner);
  using x = xzView.slice(1, 0, dInner);
  using z = xzView.slice(1, dInner, 2 * dInner);
  using uTokens = Tensor.empty(ctx, [...tokens, dInner], 'f32', 'mixer/u');
  using u = channelMajor(uTokens, dInner);
  const conv = causalConv1d(ctx, {
    x,
    weight: w.conv1dWeight,
    bias: w.conv1dBias,
    silu: true,
    finalStateOut: state?.conv,
    initialState: initial?.conv,
    yOut: u,
  });
  using dbl = selectionInputs(config, matmul(uTokens, w.xProj)); // (..., width) = [dt | B | C]
  using dblView = channelMajor(dbl, width);
  using B = dblView.slice(1, dtRank, dtRank + dState);
  using C = dblView.slice(1, dtRank + dState, width);
  using dtRows = dbl.slice(-1, 0, dtRank);
  using dt = contiguous(dtRows); // matmul reads plain rows
  using deltaTokens = matmul(dt, w.dtProj); // (..., dInner)
  using delta = channelMajor(deltaTokens, dInner);
  using yTokens = Tensor.empty(ctx, [...tokens, dInner], 'f32', 'mixer/y');
  using y = channelMajor(yTokens, dInner);
  const scan = selectiveScan(ctx, {
    u,
    delta,
    A: w.A,
    B,
    C,
    D: w.D,
    z,
    deltaBias: w.dtProjBias,
    deltaSoftplus: true,
    lastStateOut: state?.ssm,
    initialState: initial?.ssm,
    yOut: y,
  });
  if (!state) {
    conv.finalState.dispose();
    scan.lastState.dispose();
  }
  return matmul(yTokens, w.outProj, { bias: w.outProjBias });
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
  let h: Tensor<'f32'> = embedding(ids, weights.embedding); // (batch, seqLen, dModel)
  let residual: Tensor<'f32'> | undefined;
  weights.layers.forEach((w, i) => {
    // mamba's fused_add_norm: residual = h + residual (h alone first), out = rmsnorm(residual) * w.
    const norm = addRmsNorm(h, residual, w.norm, { eps: config.rmsNormEps });
    h.dispose();
    residual?.dispose();
    residual = norm.residual;
    h = mixerPrefill(config, w, norm.out, batch, seqLen, states?.[i], initialStates?.[i]);
    norm.out.dispose();
  });
  const final = addRmsNorm(h, residual, weights.normF, { eps: config.rmsNormEps });
  h.dispose();
  (residual as Tensor | undefined)?.dispose();
  final.residual.dispose();
  return final.out;
}
