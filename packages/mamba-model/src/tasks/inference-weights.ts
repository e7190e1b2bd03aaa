// Trained parameters as the inference model's weights, on the GPU without a host round trip:
// the same tensors (new references), conv1d.weight viewed as (dInner, dConv) and A = -exp(A_log)
// computed once. The inference forward (prefill, chunked prefill, decode) then runs them.

import { InvalidArgumentError, type Tensor, retain, unary } from '@mamba-webgpu/tensor';
import type { MambaParameters } from '../training/model/parameters.js';
import { isLtiParameters } from '../training/model/lti.js';
import type { LayerWeights, MambaWeights } from '../model/weights.js';

/**
 * The inference weights of selective (S6) parameters; the caller owns them (`disposeWeights`),
 * and they stay valid when the parameters are disposed (A is a copy; the rest share storage, so
 * later training steps show through, except in A).
 */
export function inferenceWeights(params: MambaParameters): MambaWeights {
  if (isLtiParameters(params)) {
    throw new InvalidArgumentError(
      'inferenceWeights: the LTI ablation has no inference path (its Δ, B, C are parameters); evaluate it through the training forward (predictAnswersTraining)',
      'params',
    );
  }
  const { config } = params;
  const ref = (name: string) => retain(params.get(name));
  const refOpt = (name: string) => {
    const t = params.maybe(name);
    return t ? retain(t) : undefined;
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.nLayer; i++) {
    const m = (name: string) => `backbone.layers.${i}.mixer.${name}`;
    const expA = unary('exp', params.get(m('A_log')));
    const A = unary('neg', expA);
    expA.dispose();
    layers.push({
      norm: ref(`backbone.layers.${i}.norm.weight`),
      inProj: ref(m('in_proj.weight')),
      inProjBias: refOpt(m('in_proj.bias')),
      conv1dWeight: params.get(m('conv1d.weight')).reshape([config.dInner, config.dConv]),
      conv1dBias: refOpt(m('conv1d.bias')),
      xProj: ref(m('x_proj.weight')),
      dtProj: ref(m('dt_proj.weight')),
      dtProjBias: ref(m('dt_proj.bias')),
      A,
      D: ref(m('D')),
      outProj: ref(m('out_proj.weight')),
      outProjBias: refOpt(m('out_proj.bias')),
    });
  }
  const embedding: Tensor = ref('backbone.embeddings.weight');
  let bytes = 0;
  for (const t of params.tensors.values()) bytes += t.byteLength;
  return {
    embedding,
    lmHead: config.tieEmbeddings ? embedding : ref('lm_head.weight'),
    normF: ref('backbone.norm_f.weight'),
    layers,
    bytes,
  };
}
