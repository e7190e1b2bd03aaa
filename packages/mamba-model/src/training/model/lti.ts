// The LTI (linear time-invariant, S4-like) ablation of the Mamba block, the paper's non-selective
// baseline (§4.1.1, Table 1): the same block, but Δ, B and C are learned parameters instead of
// functions of the input. Per layer, x_proj and dt_proj are gone and two vectors appear:
//   Δ = softplus(dt_proj.bias)   (dInner)   one step size per channel, broadcast over batch, time
//   B = mixer.B                  (dState)   shared by the channels (as S6's B_t), over batch, time
//   C = mixer.C                  (dState)   likewise
// Initialisation is S4D-Real's (A = -(1..dState) as Mamba's, B = 1, C ~ normal(0, 1), Δ
// log-uniform in [1e-3, 1e-1]). S4D gives each channel its own C (dInner, dState); the scan
// kernels read one C per (batch, state, time), shared by the channels, so this ablation keeps
// S6's sharing (each channel still has its own kernel through its Δ and A row).

import { type GpuContext, type Tape, Tensor, autograd as ad, zeros } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../../loading/config.js';
import { SeededInit } from './init.js';
import { MambaParameters, type ParameterEntry, parameterSpec } from './parameters.js';

const layerPrefix = (layer: number) => `backbone.layers.${layer}.mixer.`;

/** The LTI block's B and C parameter names of `layer`. */
export function ltiParameterNames(layer: number): { B: string; C: string } {
  return { B: `${layerPrefix(layer)}B`, C: `${layerPrefix(layer)}C` };
}

/** The LTI model's parameters: Mamba's without x_proj and dt_proj weights, with B and C per layer. */
export function ltiParameterSpec(config: MambaConfig): ParameterEntry[] {
  const out: ParameterEntry[] = [];
  for (const e of parameterSpec(config)) {
    if (e.name.endsWith('.mixer.dt_proj.weight')) continue;
    if (e.name.endsWith('.mixer.x_proj.weight')) {
      const layer = Number(e.name.split('.')[2]);
      const { B, C } = ltiParameterNames(layer);
      out.push({ name: B, shape: [config.dState], legend: '(dState)' });
      out.push({ name: C, shape: [config.dState], legend: '(dState)' });
      continue;
    }
    out.push(e);
  }
  return out;
}

/** Whether `params` holds the LTI block's parameters (B and C of layer 0). */
export function isLtiParameters(params: MambaParameters): boolean {
  return params.maybe(ltiParameterNames(0).B) !== undefined;
}

/**
 * Fresh LTI parameters, seeded: every tensor the two models share is initialised as
 * `MambaParameters.random(ctx, config, seed)` does; B = 1, C ~ normal(0, 1) (S4D-Real).
 */
export function ltiParameters(ctx: GpuContext, config: MambaConfig, seed = 0): MambaParameters {
  const selective = MambaParameters.random(ctx, config, seed);
  const rng = new SeededInit(seed ^ 0x5d4a11);
  const tensors = new Map<string, Tensor<'f32'>>();
  for (const e of ltiParameterSpec(config)) {
    const shared = selective.maybe(e.name);
    if (shared) {
      tensors.set(e.name, shared);
      continue;
    }
    const isB = e.name.endsWith('.B');
    const values = Float32Array.from({ length: config.dState }, () => (isB ? 1 : rng.normal()));
    tensors.set(e.name, Tensor.fromArray(ctx, values, e.shape, 'f32', e.name));
  }
  for (const [name, t] of selective.tensors) if (!tensors.has(name)) t.dispose();
  return MambaParameters.fromTensors(config, tensors, ltiParameterSpec(config));
}

/** The scan's Δ, B and C for one layer, and what the caller frees once the scan is recorded. */
export interface ScanSelection {
  /** (batch, dInner, seqLen), before deltaBias and softplus. */
  delta: Tensor;
  /** (batch, dState, seqLen) */
  B: Tensor;
  /** (batch, dState, seqLen) */
  C: Tensor;
  /** Tape outputs to drop after the layer (intermediates). */
  intermediates: Tensor[];
  /** Tensors the caller owns and disposes after recording the scan. */
  temporaries: Tensor[];
}

/**
 * The LTI layer's scan inputs: delta = 0 (so Δ = softplus(dt_proj.bias), whose gradient the scan
 * returns as dDeltaBias), B and C broadcast from (dState) over batch and time (their gradients
 * summed over both by `autograd.broadcast`).
 */
export function ltiSelection(
  tape: Tape,
  config: MambaConfig,
  params: MambaParameters,
  layer: number,
  batch: number,
  seqLen: number,
): ScanSelection {
  const { dInner, dState } = config;
  const names = ltiParameterNames(layer);
  const spread = (name: string) => {
    const column = ad.reshape(tape, params.get(name), [1, dState, 1]);
    return { column, full: ad.broadcast(tape, column, [batch, dState, seqLen]) };
  };
  const B = spread(names.B);
  const C = spread(names.C);
  const delta = zeros(params.get(names.B).ctx, [batch, dInner, seqLen], 'f32', 'lti/delta');
  return {
    delta,
    B: B.full,
    C: C.full,
    intermediates: [B.column, B.full, C.column, C.full],
    temporaries: [delta],
  };
}
