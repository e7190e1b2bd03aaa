// Random weights for any config, built directly on the GPU side (no checkpoint): used by the
// bench (the exact mamba-130m shapes) and by tests. Initialised like Mamba's own init so
// activations stay in a realistic range: A = -(1..dState), D = 1, dt bias = softplus^-1(0.01).

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../loading/config.js';
import type { LayerWeights, MambaWeights, WeightDType } from './weights.js';

/** Fast seeded uniform fill in [-scale, scale) (xorshift32). */
function uniform(n: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

/**
 * Random weights with `config`'s shapes. `dtype` applies to the matrices (embedding, in/x/dt/out
 * projections); vectors are f32 as in loaded checkpoints.
 */
export function randomWeights(
  ctx: GpuContext,
  config: MambaConfig,
  options: { seed?: number; dtype?: WeightDType } = {},
): MambaWeights {
  const { dModel, dInner, dState, dConv, dtRank, vocabSize } = config;
  const dtype = options.dtype ?? 'f32';
  let seed = options.seed ?? 1;
  const created: Tensor[] = [];
  const matrix = (rows: number, cols: number, label: string) => {
    const t = Tensor.fromArray(
      ctx,
      uniform(rows * cols, 1 / Math.sqrt(cols), seed++),
      [rows, cols],
      dtype,
      label,
    );
    created.push(t);
    return t;
  };
  const vector = (values: Float32Array, shape: number[], label: string) => {
    const t = Tensor.fromArray(ctx, values, shape, 'f32', label);
    created.push(t);
    return t as Tensor<'f32'>;
  };
  const embedding = (() => {
    const t = Tensor.fromArray(
      ctx,
      uniform(vocabSize * dModel, 0.02, seed++),
      [vocabSize, dModel],
      dtype,
      'random/embedding',
    );
    created.push(t);
    return t;
  })();
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.nLayer; i++) {
    const a = new Float32Array(dInner * dState);
    for (let d = 0; d < dInner; d++) for (let n = 0; n < dState; n++) a[d * dState + n] = -(n + 1);
    const convWeight = uniform(dInner * dConv, 0.5, seed++);
    const convBias = config.convBias ? uniform(dInner, 0.1, seed++) : undefined;
    const dtBias = new Float32Array(dInner).fill(Math.log(Math.expm1(0.01)));
    const D = new Float32Array(dInner).fill(1);
    layers.push({
      norm: vector(new Float32Array(dModel).fill(1), [dModel], 'random/norm'),
      inProj: matrix(2 * dInner, dModel, 'random/in-proj'),
      inProjBias: undefined,
      conv1dWeight: vector(convWeight, [dInner, dConv], 'random/conv'),
      conv1dBias: convBias ? vector(convBias, [dInner], 'random/conv-bias') : undefined,
      xProj: matrix(dtRank + 2 * dState, dInner, 'random/x-proj'),
      dtProj: matrix(dInner, dtRank, 'random/dt-proj'),
      dtProjBias: vector(dtBias, [dInner], 'random/dt-bias'),
      A: vector(a, [dInner, dState], 'random/A'),
      D: vector(D, [dInner], 'random/D'),
      outProj: matrix(dModel, dInner, 'random/out-proj'),
      outProjBias: undefined,
    });
  }
  const normF = vector(new Float32Array(dModel).fill(1), [dModel], 'random/norm-f');
  let bytes = 0;
  for (const t of created) bytes += t.byteLength;
  return { embedding, lmHead: embedding, normF, layers, bytes };
}
