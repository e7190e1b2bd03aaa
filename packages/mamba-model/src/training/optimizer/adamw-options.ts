// AdamW's hyper-parameters, shared by the GPU optimizer and its CPU reference: defaults (torch's),
// validation with typed errors, the parameter groups (no weight decay for A_log, D, biases and
// norms), and the scalars of one step computed as torch computes them.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describeJson } from '../../loading/json.js';

/** Hyper-parameters of `AdamW` (defaults: torch.optim.AdamW's). */
export interface AdamWOptions {
  /** Learning rate when `step` is not given one (a schedule's value); default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moments, each in [0, 1); default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Added to the denominator; > 0; default 1e-8. */
  eps?: number;
  /** Decoupled weight decay of the parameters that decay; >= 0; default 0.01. */
  weightDecay?: number;
  /**
   * Parameters without weight decay: those whose name contains one of these substrings, or for
   * which the function returns true. Default `DEFAULT_NO_DECAY`.
   */
  noDecay?: readonly string[] | ((name: string) => boolean);
}

/** Options of one `step`. `S` is the clip scale's form: a GradNorm on the GPU, a number on the CPU. */
export interface AdamWStepOptions<S> {
  /** This step's learning rate (a schedule's value); default the optimizer's `lr`. */
  lr?: number;
  /** Multiply the gradients by this clip scale first (from `clipGradNorm(..., { inPlace: false })`). */
  gradScale?: S;
}

/** Substrings of parameter names that get no weight decay by default (as the training oracle). */
export const DEFAULT_NO_DECAY: readonly string[] = Object.freeze(['A_log', '.D', 'bias', 'norm']);

/** Validated hyper-parameters. */
export interface ResolvedAdamWOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Whether a parameter gets no weight decay. */
  readonly noDecay: (name: string) => boolean;
  /** The no-decay rule for the saved state's metadata: the substrings, or `custom`. */
  readonly noDecayLabel: string;
}

/** Throws unless `lr` is a finite number >= 0. */
export function checkLr(caller: string, lr: unknown, argument = 'lr'): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new InvalidArgumentError(
      `${caller}: ${argument} must be a finite number >= 0, got ${String(lr)}`,
      argument,
    );
  }
  return lr;
}

/** Validates AdamW options and fills in the defaults. */
export function resolveAdamWOptions(caller: string, options: AdamWOptions = {}): ResolvedAdamWOptions {
  const lr = checkLr(caller, options.lr ?? 1e-3);
  const betas = options.betas ?? [0.9, 0.999];
  const isBeta = (b: unknown) => typeof b === 'number' && b >= 0 && b < 1;
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every(isBeta)) {
    throw new InvalidArgumentError(
      `${caller}: betas must be two numbers in [0, 1), got ${Array.isArray(betas) ? `[${betas.join(', ')}]` : String(betas)}`,
      'betas',
    );
  }
  const eps = options.eps ?? 1e-8;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new InvalidArgumentError(`${caller}: eps must be a finite number > 0, got ${String(eps)}`, 'eps');
  }
  const weightDecay = checkLr(caller, options.weightDecay ?? 1e-2, 'weightDecay');
  const rule = options.noDecay ?? DEFAULT_NO_DECAY;
  let noDecay: (name: string) => boolean;
  let noDecayLabel: string;
  if (typeof rule === 'function') {
    noDecay = rule;
    noDecayLabel = 'custom';
  } else if (Array.isArray(rule) && rule.every((s) => typeof s === 'string' && s !== '')) {
    const substrings = [...rule];
    noDecay = (name) => substrings.some((s) => name.includes(s));
    noDecayLabel = substrings.join(',');
  } else {
    throw new InvalidArgumentError(
      `${caller}: noDecay must be a list of non-empty name substrings or a function, got ${describeJson(rule)}`,
      'noDecay',
    );
  }
  return { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, noDecay, noDecayLabel };
}

/**
 * The scalars of AdamW step `step` (1-based) at learning rate `lr`, computed in float64 as
 * torch computes them in Python (bias corrections, step size); the GPU kernel gets them rounded
 * to f32, as torch's kernels receive them.
 */
export interface AdamWStepScalars {
  /** `1 - lr * weightDecay`: params of the decaying group are multiplied by it first. */
  readonly decayFactor: number;
  /** torch.lerp's weight `1 - beta1` (m = lerp(m, g, weight)). */
  readonly lerpWeight: number;
  readonly beta2: number;
  readonly oneMinusBeta2: number;
  /** `sqrt(1 - beta2^step)`. */
  readonly biasCorrection2Sqrt: number;
  readonly eps: number;
  /** `-(lr / (1 - beta1^step))`. */
  readonly negStepSize: number;
}

/** The step scalars of torch.optim.AdamW (`_single_tensor_adam` / `_multi_tensor_adam`). */
export function adamwStepScalars(hyper: ResolvedAdamWOptions, lr: number, step: number): AdamWStepScalars {
  const biasCorrection1 = 1 - hyper.beta1 ** step;
  const biasCorrection2 = 1 - hyper.beta2 ** step;
  return {
    decayFactor: 1 - lr * hyper.weightDecay,
    lerpWeight: 1 - hyper.beta1,
    beta2: hyper.beta2,
    oneMinusBeta2: 1 - hyper.beta2,
    biasCorrection2Sqrt: biasCorrection2 ** 0.5,
    eps: hyper.eps,
    negStepSize: (lr / biasCorrection1) * -1,
  };
}
