// One recurrent decode step for every row of a batch: O(1) per token, with the conv state
// (batch, dInner, dConv) and ssm state (batch, dInner, dState) of each layer updated in place on
// the GPU. Input ids come from a GPU buffer (the sampler's output), so consecutive steps need no
// CPU round trip, and the whole step can be captured once and replayed (GpuContext.capture).
// Four dispatches per layer (five for FalconMamba), each a registered version of its op, the
// residual stream r in f32:
//   xz  = in_proj(rmsnorm(r) * norm_w)        rmsNormMatmul v2-prologue-gemv (batch <= 4; else
//                                             v1-composed: rmsNorm, then matmul)
//   dbl = x_proj(silu(conv step(x)))           causalConv1dUpdate v2-gemv (state read, not shifted;
//                                             above dInner 2048 v1-plain, then the GEMV)
//   dbl = rmsnorm(dt | B | C) (FalconMamba)    segmentRmsNorm, no weight (one more dispatch)
//   y   = gate(ssm step(dt_proj, softplus))    selectiveStateUpdate v2-fused-step (shifts the conv
//                                             state, updates the ssm state; weights prepared once)
//   r   = out_proj(y) + r                      matmul with fused residual
// x, z are views of xz and dt, B, C views of dbl: the kernels read them in place.

import { type Tensor, add, embedding, matmul, rmsNorm } from '@mamba-webgpu/tensor';
import { causalConv1dUpdate } from '@mamba-webgpu/scan-kernels';
import {
  type PreparedStateUpdate,
  prepareSelectiveStateUpdate,
  selectiveStateUpdateWith,
} from '@mamba-webgpu/scan-kernels/internal';
import { rmsNormMatmul } from '../kernels/rmsnorm-matmul.js';
import type { MambaConfig } from '../loading/config.js';
import { type LayerState, selectionInputs } from './forward.js';
import type { MambaWeights } from './weights.js';

/** The selective-state-update version of the decode step (it fuses the conv step and dt_proj). */
const STATE_UPDATE_KERNEL = 'v2-fused-step';

/** What the decode step's kernels prepared from the weights, one entry per layer (dispose it). */
export interface PreparedDecode extends Disposable {
  readonly layers: readonly (PreparedStateUpdate | undefined)[];
  dispose(): void;
}

/**
 * Builds what the decode kernels need from the weights (the fused state update's per-channel
 * pack), once per generation session; host setup, so call it outside a capture.
 */
export function prepareDecode(weights: MambaWeights): PreparedDecode {
  const layers: (PreparedStateUpdate | undefined)[] = [];
  const dispose = () => {
    for (const p of layers) p?.dispose();
    layers.length = 0;
  };
  try {
    for (const w of weights.layers) {
      layers.push(
        prepareSelectiveStateUpdate(STATE_UPDATE_KERNEL, {
          A: w.A,
          D: w.D,
          dtBias: w.dtProjBias,
          conv: { weight: w.conv1dWeight, bias: w.conv1dBias },
        }),
      );
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { layers, dispose, [Symbol.dispose]: dispose };
}

/**
 * Runs the backbone for one token per row of ids (batch); returns the final normed hidden
 * (batch, dModel). `prepared` comes from `prepareDecode(weights)`; `states` are updated in place.
 */
export function backboneStep(
  config: MambaConfig,
  weights: MambaWeights,
  ids: Tensor<'i32'>,
  states: LayerState[],
  prepared: PreparedDecode,
): Tensor<'f32'> {
  const { dInner, dState, dtRank } = config;
  const ctx = ids.ctx;
  let residual: Tensor<'f32'> = embedding(ids, weights.embedding); // (batch, dModel)
  weights.layers.forEach((w, i) => {
    const state = states[i]!;
    let xz = rmsNormMatmul(residual, w.norm, w.inProj, { eps: config.rmsNormEps }); // (batch, 2 * dInner)
    if (w.inProjBias) {
      const biased = add(xz, w.inProjBias);
      xz.dispose();
      xz = biased;
    }
    using x = xz.slice(1, 0, dInner);
    using z = xz.slice(1, dInner, 2 * dInner);
    const conv = { state: state.conv, weight: w.conv1dWeight, bias: w.conv1dBias };
    const projected = causalConv1dUpdate(ctx, {
      x,
      convState: conv.state,
      weight: conv.weight,
      bias: conv.bias,
      silu: true,
      updateState: false,
      projection: w.xProj,
    }); // (batch, dtRank + 2 * dState) = [dt | B | C]
    using dbl = selectionInputs(config, projected);
    using dt = dbl.slice(1, 0, dtRank);
    using B = dbl.slice(1, dtRank, dtRank + dState);
    using C = dbl.slice(1, dtRank + dState, dtRank + 2 * dState);
    using y = selectiveStateUpdateWith(
      ctx,
      {
        state: state.ssm,
        x,
        dt,
        A: w.A,
        B,
        C,
        D: w.D,
        z,
        dtBias: w.dtProjBias,
        dtSoftplus: true,
        conv,
        dtProj: w.dtProj,
      },
      { prepared: prepared.layers[i] },
    );
    xz.dispose();
    const next = matmul(y, w.outProj, { residual, ...(w.outProjBias ? { bias: w.outProjBias } : {}) });
    residual.dispose();
    residual = next;
  });
  const out = rmsNorm(residual, weights.normF, { eps: config.rmsNormEps });
  residual.dispose();
  return out;
}
