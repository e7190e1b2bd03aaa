// CPU reference of AdamW with the GPU optimizer's signature, on host arrays: float64 by default
// (the oracle the GPU is compared with), or `float32`, which rounds after every operation in
// torch's order (a model of torch's f32 kernels, so the GPU can be held to a few ulps).

import { InvalidArgumentError, ShapeError } from '@mamba-webgpu/tensor';
import { type Named, namedEntries, namedGetter } from '../named.js';
import {
  type AdamWOptions,
  type AdamWStepOptions,
  adamwStepScalars,
  checkLr,
  type ResolvedAdamWOptions,
  resolveAdamWOptions,
} from './adamw-options.js';

/** One parameter's moments on the host. */
export interface AdamWRefState {
  readonly expAvg: Float64Array;
  readonly expAvgSq: Float64Array;
}

/** Options of `AdamWRef`: AdamW's, plus the arithmetic. */
export interface AdamWRefOptions extends AdamWOptions {
  /** `float64` (default): exact maths; `float32`: every operation rounded to f32 in torch's order. */
  precision?: 'float64' | 'float32';
}

const identity = (x: number) => x;

/** The CPU reference of `AdamW`: updates the given Float64Arrays in place, step by step. */
export class AdamWRef {
  readonly hyper: ResolvedAdamWOptions;
  readonly precision: 'float64' | 'float32';
  private readonly params: [string, Float64Array][];
  private readonly states = new Map<string, AdamWRefState>();
  private steps = 0;

  constructor(params: Named<Float64Array>, options: AdamWRefOptions = {}) {
    this.hyper = resolveAdamWOptions('AdamWRef', options);
    this.precision = options.precision ?? 'float64';
    this.params = namedEntries(params);
    if (this.params.length === 0) {
      throw new InvalidArgumentError('AdamWRef: params must hold at least one parameter, got none', 'params');
    }
    for (const [name, p] of this.params) {
      this.states.set(name, { expAvg: new Float64Array(p.length), expAvgSq: new Float64Array(p.length) });
    }
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The weight decay parameter `name` gets (0 for the no-decay group). */
  weightDecayOf(name: string): number {
    return this.hyper.noDecay(name) ? 0 : this.hyper.weightDecay;
  }

  /** The moments of parameter `name`. */
  stateOf(name: string): AdamWRefState {
    const state = this.states.get(name);
    if (!state) throw new InvalidArgumentError(`AdamWRef.stateOf: no parameter named ${name}`, 'name');
    return state;
  }

  /** Sets the step count and moments (resume), copying the given values. */
  loadState(step: number, states: Named<{ expAvg: ArrayLike<number>; expAvgSq: ArrayLike<number> }>): void {
    const get = namedGetter(states);
    for (const [name, p] of this.params) {
      const loaded = get(name);
      if (!loaded || loaded.expAvg.length !== p.length || loaded.expAvgSq.length !== p.length) {
        throw new ShapeError(
          `AdamWRef.loadState: the state of ${name} must hold ${p.length} values per moment`,
        );
      }
      this.states.get(name)!.expAvg.set(loaded.expAvg);
      this.states.get(name)!.expAvgSq.set(loaded.expAvgSq);
    }
    this.steps = step;
  }

  /** One AdamW step over every parameter (gradients by name, each as long as its parameter). */
  step(grads: Named<ArrayLike<number>>, options: AdamWStepOptions<number> = {}): void {
    const lr = checkLr('AdamWRef.step', options.lr ?? this.hyper.lr);
    const get = namedGetter(grads);
    for (const [name, p] of this.params) {
      const g = get(name);
      if (g === undefined)
        throw new InvalidArgumentError(`AdamWRef.step: grads must hold ${name}, it is missing`, 'grads');
      if (g.length !== p.length) {
        throw new ShapeError(
          `AdamWRef.step: grad ${name} must hold ${p.length} values like its parameter, got ${g.length}`,
        );
      }
    }
    this.steps++;
    const round = this.precision === 'float32' ? Math.fround : identity;
    const s = adamwStepScalars(this.hyper, lr, this.steps);
    const weight = round(s.lerpWeight);
    const small = Math.abs(weight) < 0.5;
    const oneMinusWeight = round(1 - weight);
    const [beta2, oneMinusBeta2, bc2Sqrt, eps, negStep] = [
      s.beta2,
      s.oneMinusBeta2,
      s.biasCorrection2Sqrt,
      s.eps,
      s.negStepSize,
    ].map(round) as [number, number, number, number, number];
    const scale = options.gradScale === undefined ? undefined : round(options.gradScale);
    for (const [name, p] of this.params) {
      const g = get(name)!;
      const { expAvg: m, expAvgSq: v } = this.states.get(name)!;
      const decay = this.hyper.noDecay(name) ? 1 : round(1 - lr * this.hyper.weightDecay);
      for (let i = 0; i < p.length; i++) {
        const gi = scale === undefined ? g[i]! : round(g[i]! * scale);
        const pi = round(p[i]! * decay);
        const diff = round(gi - m[i]!);
        const mi = small ? round(m[i]! + round(weight * diff)) : round(gi - round(diff * oneMinusWeight));
        const vi = round(round(v[i]! * beta2) + round(oneMinusBeta2 * round(gi * gi)));
        const denom = round(round(round(Math.sqrt(vi)) / bc2Sqrt) + eps);
        p[i] = round(pi + round(negStep * round(mi / denom)));
        m[i] = mi;
        v[i] = vi;
      }
    }
  }
}
