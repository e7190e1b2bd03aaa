// The Mamba language model's training forward on the autograd tape, from ids to the mean
// next-token cross-entropy. Same maths as the inference forward (and as Hugging Face's
// MambaForCausalLM slow path), written with differentiable ops:
//   h = embed(ids)                                         (tokens, dModel), tokens = batch*seqLen
//   per layer: normed, residual = addRmsNorm(h, residual)  (residual in f32)
//              xz = normed @ in_proj^T                     (tokens, 2*dInner); x, z: views (batch, dInner, seqLen)
//              u = silu(conv1d(x) + conv_bias)             (batch, dInner, seqLen)
//              dbl = u^T @ x_proj^T                        (tokens, dtRank + 2*dState); B, C: views
//              delta = dbl[:, :dtRank] @ dt_proj^T         (tokens, dInner) -> view (batch, dInner, seqLen)
//              y = scan(u, delta, -exp(A_log), B, C, D, z, dt_proj.bias, softplus)
//              h = y^T @ out_proj^T                        (tokens, dModel)
//   normed = addRmsNorm(h, residual, norm_f); loss = CE(normed @ E^T [:, :-1], ids[:, 1:])

import { IGNORE_INDEX, type Tape, type Tensor, autograd as ad } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../../loading/config.js';
import type { MambaParameters } from './parameters.js';
import { convSilu, selectiveScanOp } from './ssm-ops.js';

/** A training batch: `ids` (batch, seqLen) on the GPU and the same ids on the host. */
export interface TokenBatch {
  readonly ids: Tensor<'i32'>;
  readonly hostIds: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
}

/** Next-token targets of (batch, seqLen) ids: ids[b, t + 1], IGNORE_INDEX at each row's end. */
export function nextTokenTargets(hostIds: Int32Array, batch: number, seqLen: number): Int32Array {
  const targets = new Int32Array(batch * seqLen).fill(IGNORE_INDEX);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t + 1 < seqLen; t++) targets[b * seqLen + t] = hostIds[b * seqLen + t + 1]!;
  }
  return targets;
}

function mixer(tape: Tape, config: MambaConfig, p: MambaParameters, layer: number, normed: Tensor, batch: number, seqLen: number): Tensor {
  const { dInner, dState, dtRank, dConv } = config;
  const w = (name: string) => p.get(`backbone.layers.${layer}.mixer.${name}`);
  const wOpt = (name: string) => p.maybe(`backbone.layers.${layer}.mixer.${name}`);
  const xz = ad.linear(tape, normed, w('in_proj.weight'), wOpt('in_proj.bias')); // (tokens, 2*dInner)
  const channelMajor = (t: Tensor, width: number, offset: number, channels: number) =>
    ad.view(tape, t, { shape: [batch, channels, seqLen], strides: [seqLen * width, 1, width], offset });
  const x = channelMajor(xz, 2 * dInner, 0, dInner);
  const z = channelMajor(xz, 2 * dInner, dInner, dInner);
  const convWeight = ad.reshape(tape, w('conv1d.weight'), [dInner, dConv]);
  const u = convSilu(tape, x, convWeight, wOpt('conv1d.bias')); // (batch, dInner, seqLen)
  const uTokens = ad.reshape(tape, ad.transpose(tape, u, 1, 2), [batch * seqLen, dInner]);
  const width = dtRank + 2 * dState;
  const dbl = ad.linear(tape, uTokens, w('x_proj.weight')); // (tokens, width)
  const dt = ad.slice(tape, dbl, 1, 0, dtRank);
  const deltaTokens = ad.linear(tape, dt, w('dt_proj.weight')); // (tokens, dInner)
  const delta = channelMajor(deltaTokens, dInner, 0, dInner);
  const B = channelMajor(dbl, width, dtRank, dState);
  const C = channelMajor(dbl, width, dtRank + dState, dState);
  const A = ad.unary(tape, 'neg', ad.unary(tape, 'exp', w('A_log')));
  const y = selectiveScanOp(tape, { u, delta, A, B, C, D: w('D'), z, deltaBias: w('dt_proj.bias') });
  const yTokens = ad.reshape(tape, ad.transpose(tape, y, 1, 2), [batch * seqLen, dInner]);
  return ad.linear(tape, yTokens, w('out_proj.weight'), wOpt('out_proj.bias'));
}

/** Options of `languageModelLoss`. */
export interface LanguageModelLossOptions {
  /**
   * Recompute each layer's activations in the backward instead of keeping them (activation
   * checkpointing): memory per layer drops to its inputs, for one more forward. Default false.
   */
  checkpointLayers?: boolean;
}

function layerParams(p: MambaParameters, layer: number): Tensor[] {
  const prefix = `backbone.layers.${layer}.`;
  return p.names().filter((n) => n.startsWith(prefix)).map((n) => p.get(n));
}

/**
 * The mean next-token cross-entropy of the model on `batch` (a (1) tensor owned by the tape).
 * Every parameter in `params` is marked on the tape; take their gradients after `backward`.
 */
export function languageModelLoss(
  tape: Tape,
  config: MambaConfig,
  params: MambaParameters,
  data: TokenBatch,
  options: LanguageModelLossOptions = {},
): Tensor<'f32'> {
  for (const t of params.tensors.values()) tape.param(t);
  const { batch, seqLen } = data;
  const embedding = params.get('backbone.embeddings.weight');
  let h: Tensor = ad.embedding(tape, data.ids, data.hostIds, embedding);
  h = ad.reshape(tape, h, [batch * seqLen, config.dModel]);
  let residual: Tensor | undefined;
  for (let layer = 0; layer < config.nLayer; layer++) {
    const block = (t: Tape, [hIn, resIn]: readonly Tensor[]): Tensor[] => {
      const norm = ad.addRmsNorm(t, hIn!, resIn, params.get(`backbone.layers.${layer}.norm.weight`), config.rmsNormEps);
      return [mixer(t, config, params, layer, norm.out, batch, seqLen), norm.residual];
    };
    const inputs = residual ? [h, residual] : [h];
    const [hOut, resOut] = options.checkpointLayers
      ? ad.checkpoint(tape, `layer ${layer}`, inputs, layerParams(params, layer), block)
      : block(tape, inputs);
    h = hOut!;
    residual = resOut;
  }
  const final = ad.addRmsNorm(tape, h, residual, params.get('backbone.norm_f.weight'), config.rmsNormEps);
  const head = config.tieEmbeddings ? embedding : params.get('lm_head.weight');
  return ad.lmHeadLoss(tape, final.out, head, nextTokenTargets(data.hostIds, batch, seqLen));
}
