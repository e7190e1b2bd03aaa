// Typed errors of sampling: logits that are not finite (a checkpoint whose weights or activations
// overflow or hold NaN). The sampler itself always returns an id in the vocabulary.

import { MambaModelError } from '../loading/errors.js';

/** What was wrong with a row's logits at a step. */
export interface NonFiniteLogits {
  /** The batch row. */
  readonly row: number;
  /** The row's first step whose logits were not all finite (0 = the id after the prompt). */
  readonly step: number;
  readonly nan: boolean;
  readonly positiveInfinity: boolean;
  /** No logit was finite: the sampler returned id 0 for the step. */
  readonly noneFinite: boolean;
}

/** Status bits as the sampler kernel writes them. */
export const NON_FINITE_NAN = 1;
export const NON_FINITE_POS_INF = 2;
export const NON_FINITE_NONE = 4;

/** A row's logits held NaN or +Inf, or no finite value: generation stops with this error. */
export class NonFiniteLogitsError extends MambaModelError {
  override name = 'NonFiniteLogitsError';
  constructor(
    message: string,
    readonly detail: NonFiniteLogits,
  ) {
    super(message);
  }
}

/** Decodes a row's status word (`kinds`) into a description. */
export function describeNonFinite(row: number, step: number, kinds: number): NonFiniteLogits {
  return {
    row,
    step,
    nan: (kinds & NON_FINITE_NAN) !== 0,
    positiveInfinity: (kinds & NON_FINITE_POS_INF) !== 0,
    noneFinite: (kinds & NON_FINITE_NONE) !== 0,
  };
}

/** The error for one row, its message starting with `caller`. */
export function nonFiniteLogitsError(caller: string, detail: NonFiniteLogits): NonFiniteLogitsError {
  const what = [
    detail.nan ? 'NaN' : '',
    detail.positiveInfinity ? '+Inf' : '',
    detail.noneFinite ? 'no finite value' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return new NonFiniteLogitsError(
    `${caller}: the logits of row ${detail.row} at step ${detail.step} must be finite, got ${what}. ` +
      'The model computes NaN/Inf: check the checkpoint (corrupt weights, or f16 values that overflow) ' +
      'and its config; the ids up to this step were returned, generation stopped here.',
    detail,
  );
}
