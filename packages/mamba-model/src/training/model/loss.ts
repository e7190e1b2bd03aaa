// The Mamba language model's training forward on the autograd tape, from ids to the mean
// next-token cross-entropy. Same maths as the inference forward (and as Hugging Face's
// MambaForCausalLM slow path), written with differentiable ops:
//   h = embed(ids)                                         (tokens, dModel), tokens = batch*seqLen
//   per layer: normed, residual = addRmsNorm(h, residual)  (residual in f32)
//              xz = normed @ in_proj^T                     (tokens, 2*dInner); x, z: views (batch, dInner, seqLen)
//              u = silu(conv1d(x) + conv_bias)             (batch, dInner, seqLen)
//              dbl = u^T @ x_proj^T                        (tokens, dtRank + 2*dState); B, C: views
//              FalconMamba: dt, B, C = rmsnorm of each part of dbl (no weight), B, C: views of those
//              delta = dt @ dt_proj^T                      (tokens, dInner) -> view (batch, dInner, seqLen)
//              y = scan(u, delta, -exp(A_log), B, C, D, z, dt_proj.bias, softplus)
//              h = y^T @ out_proj^T                        (tokens, dModel)
//   normed = addRmsNorm(h, residual, norm_f); loss = CE(normed @ E^T [:, :-1], ids[:, 1:])
// Options: explicit per-position targets (IGNORE_INDEX = no loss there: the synthetic tasks'
// answer-only losses) and `selective: false`, the LTI ablation's block (Δ, B, C learned, lti.ts).

import {
  IGNORE_INDEX,
  InvalidArgumentError,
  ShapeError,
  type Tape,
  type Tensor,
  autograd as ad,
} from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../../loading/config.js';
import { type ScanSelection, ltiSelection } from './lti.js';
import type { MambaParameters } from './parameters.js';
import { weightlessRmsNorm } from './selection-norm.js';
import { convSilu, selectiveScanOp } from './ssm-ops.js';

/** A training batch: `ids` (batch, seqLen) on the GPU and the same ids on the host. */
export interface TokenBatch {
  readonly ids: Tensor<'i32'>;
  readonly hostIds: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
  /**
   * (batch, seqLen) host targets of each position's logits, IGNORE_INDEX where no loss is taken;
   * default `nextTokenTargets(hostIds)`.
   */
  readonly targets?: Int32Array | undefined;
}

/** Next-token targets of (batch, seqLen) ids: ids[b, t + 1], IGNORE_INDEX at each row's end. */
export function nextTokenTargets(hostIds: Int32Array, batch: number, seqLen: number): Int32Array {
  const targets = new Int32Array(batch * seqLen).fill(IGNORE_INDEX);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t + 1 < seqLen; t++) targets[b * seqLen + t] = hostIds[b * seqLen + t + 1]!;
  }
  return targets;
}

/** Columns [offset, offset + channels) of token-major t (tokens, width) as (batch, channels, seqLen). */
function channelMajor(
  tape: Tape,
  t: Tensor,
  batch: number,
  seqLen: number,
  width: number,
  offset: number,
  channels: number,
) {
  return ad.view(tape, t, { shape: [batch, channels, seqLen], strides: [seqLen * width, 1, width], offset });
}

/** S6: Δ, B and C from u through x_proj and dt_proj (FalconMamba: dt, B and C normalised). */
function selection(
  tape: Tape,
  config: MambaConfig,
  w: (name: string) => Tensor,
  u: Tensor,
  batch: number,
  seqLen: number,
): ScanSelection {
  const { dInner, dState, dtRank } = config;
  const uT = ad.transpose(tape, u, 1, 2);
  const uTokens = ad.reshape(tape, uT, [batch * seqLen, dInner]);
  const width = dtRank + 2 * dState;
  const dbl = ad.linear(tape, uTokens, w('x_proj.weight')); // (tokens, width)
  const dtRaw = ad.slice(tape, dbl, 1, 0, dtRank);
  const intermediates: Tensor[] = [uT, uTokens, dbl, dtRaw];
  let dt = dtRaw;
  let B: Tensor;
  let C: Tensor;
  if (config.bcdtRmsNorm) {
    const eps = config.mixerRmsEps;
    const bRaw = ad.slice(tape, dbl, 1, dtRank, dtRank + dState);
    const cRaw = ad.slice(tape, dbl, 1, dtRank + dState, width);
    dt = weightlessRmsNorm(tape, dtRaw, eps);
    const bTokens = weightlessRmsNorm(tape, bRaw, eps); // (tokens, dState)
    const cTokens = weightlessRmsNorm(tape, cRaw, eps);
    B = channelMajor(tape, bTokens, batch, seqLen, dState, 0, dState);
    C = channelMajor(tape, cTokens, batch, seqLen, dState, 0, dState);
    intermediates.push(bRaw, cRaw, dt, bTokens, cTokens);
  } else {
    B = channelMajor(tape, dbl, batch, seqLen, width, dtRank, dState);
    C = channelMajor(tape, dbl, batch, seqLen, width, dtRank + dState, dState);
  }
  const deltaTokens = ad.linear(tape, dt, w('dt_proj.weight')); // (tokens, dInner)
  const delta = channelMajor(tape, deltaTokens, batch, seqLen, dInner, 0, dInner);
  intermediates.push(deltaTokens, delta, B, C);
  return { delta, B, C, intermediates, temporaries: [] };
}

function mixer(
  tape: Tape,
  config: MambaConfig,
  p: MambaParameters,
  layer: number,
  normed: Tensor,
  batch: number,
  seqLen: number,
  selective: boolean,
): Tensor {
  const { dInner, dConv } = config;
  const w = (name: string) => p.get(`backbone.layers.${layer}.mixer.${name}`);
  const wOpt = (name: string) => p.maybe(`backbone.layers.${layer}.mixer.${name}`);
  const xz = ad.linear(tape, normed, w('in_proj.weight'), wOpt('in_proj.bias')); // (tokens, 2*dInner)
  const x = channelMajor(tape, xz, batch, seqLen, 2 * dInner, 0, dInner);
  const z = channelMajor(tape, xz, batch, seqLen, 2 * dInner, dInner, dInner);
  const convWeight = ad.reshape(tape, w('conv1d.weight'), [dInner, dConv]);
  const u = convSilu(tape, x, convWeight, wOpt('conv1d.bias')); // (batch, dInner, seqLen)
  const s = selective
    ? selection(tape, config, w, u, batch, seqLen)
    : ltiSelection(tape, config, p, layer, batch, seqLen);
  const expA = ad.unary(tape, 'exp', w('A_log'));
  const A = ad.unary(tape, 'neg', expA);
  const y = selectiveScanOp(tape, {
    u,
    delta: s.delta,
    A,
    B: s.B,
    C: s.C,
    D: w('D'),
    z,
    deltaBias: w('dt_proj.bias'),
  });
  for (const t of s.temporaries) t.dispose();
  const yT = ad.transpose(tape, y, 1, 2);
  const yTokens = ad.reshape(tape, yT, [batch * seqLen, dInner]);
  const out = ad.linear(tape, yTokens, w('out_proj.weight'), wOpt('out_proj.bias'));
  // The layer's intermediates: what a backward needs, its op saved; the rest is freed now.
  tape.drop(xz, x, z, convWeight, u, ...s.intermediates, expA, A, y, yT, yTokens);
  return out;
}

/** Options of `languageModelLoss`. */
export interface LanguageModelLossOptions {
  /**
   * Recompute each layer's activations in the backward instead of keeping them (activation
   * checkpointing): memory per layer drops to its inputs, for one more forward. Default false.
   */
  checkpointLayers?: boolean;
  /**
   * false: the LTI ablation's block (Δ, B, C learned parameters, not functions of x; the
   * parameters come from `ltiParameters`). Default true (Mamba's selective S6 block).
   */
  selective?: boolean;
}

function layerParams(p: MambaParameters, layer: number): Tensor[] {
  const prefix = `backbone.layers.${layer}.`;
  return p
    .names()
    .filter((n) => n.startsWith(prefix))
    .map((n) => p.get(n));
}

/**
 * The final normed hidden states (batch*seqLen, dModel) of the model on `data`, owned by the
 * tape. Parameters are not marked: on a tape without parameters nothing is recorded and each
 * layer's intermediates are freed as it goes (an inference forward through the training code).
 */
export function languageModelHidden(
  tape: Tape,
  config: MambaConfig,
  params: MambaParameters,
  data: TokenBatch,
  options: LanguageModelLossOptions = {},
): Tensor<'f32'> {
  const { batch, seqLen } = data;
  const selective = options.selective ?? true;
  if (!selective && config.bcdtRmsNorm) {
    throw new InvalidArgumentError(
      'languageModelHidden: selective: false (the LTI block) must have a Mamba config, got a FalconMamba one (bcdtRmsNorm): its Δ, B and C are parameters, not normalised x_proj outputs',
      'selective',
    );
  }
  const embedding = params.get('backbone.embeddings.weight');
  const embedded = ad.embedding(tape, data.ids, data.hostIds, embedding);
  let h: Tensor = ad.reshape(tape, embedded, [batch * seqLen, config.dModel]);
  tape.drop(embedded);
  let residual: Tensor | undefined;
  for (let layer = 0; layer < config.nLayer; layer++) {
    const block = (t: Tape, [hIn, resIn]: readonly Tensor[]): Tensor[] => {
      const norm = ad.addRmsNorm(
        t,
        hIn!,
        resIn,
        params.get(`backbone.layers.${layer}.norm.weight`),
        config.rmsNormEps,
      );
      const out = mixer(t, config, params, layer, norm.out, batch, seqLen, selective);
      t.drop(norm.out);
      return [out, norm.residual];
    };
    const inputs = residual ? [h, residual] : [h];
    const [hOut, resOut] = options.checkpointLayers
      ? ad.checkpoint(tape, `layer ${layer}`, inputs, layerParams(params, layer), block)
      : block(tape, inputs);
    tape.drop(h, residual);
    h = hOut!;
    residual = resOut;
  }
  const final = ad.addRmsNorm(tape, h, residual, params.get('backbone.norm_f.weight'), config.rmsNormEps);
  tape.drop(h, residual, final.residual);
  return final.out;
}

/**
 * The mean cross-entropy of the model on `batch` (a (1) tensor owned by the tape): next-token
 * targets, or `data.targets`. Every parameter in `params` is marked on the tape; take their
 * gradients after `backward`.
 */
export function languageModelLoss(
  tape: Tape,
  config: MambaConfig,
  params: MambaParameters,
  data: TokenBatch,
  options: LanguageModelLossOptions = {},
): Tensor<'f32'> {
  for (const t of params.tensors.values()) tape.param(t);
  const hidden = languageModelHidden(tape, config, params, data, options);
  const embedding = params.get('backbone.embeddings.weight');
  const head = config.tieEmbeddings ? embedding : params.get('lm_head.weight');
  const targets = data.targets ?? nextTokenTargets(data.hostIds, data.batch, data.seqLen);
  if (targets.length !== data.batch * data.seqLen) {
    throw new ShapeError(
      `languageModelLoss: targets must hold (batch, seqLen) = (${data.batch}, ${data.seqLen}) ids, got ${targets.length}`,
    );
  }
  const loss = ad.lmHeadLoss(tape, hidden, head, targets);
  tape.drop(hidden);
  return loss;
}
