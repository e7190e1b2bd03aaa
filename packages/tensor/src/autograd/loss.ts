// The training loss as a tape op: the tied LM head and cross-entropy fused and chunked over
// tokens (lmHeadCrossEntropy computes the gradients in the same pass; backward scales them by
// the loss's upstream gradient, 1 for the loss itself).

import { InvalidArgumentError } from '../errors.js';
import { type LmHeadLossOptions, lmHeadCrossEntropy } from '../ops/loss/cross-entropy.js';
import { mul } from '../ops/binary/binary.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Tape } from './tape.js';

/**
 * Mean cross-entropy of h @ table^T against `targets` (host ids; IGNORE_INDEX = no target).
 * h: (tokens, dim); table: (vocab, dim). Returns the loss (1), which seeds `tape.backward`.
 */
export function lmHeadLoss(
  tape: Tape,
  h: Tensor,
  table: Tensor,
  targets: ArrayLike<number>,
  options: LmHeadLossOptions = {},
): Tensor<'f32'> {
  const withGradients = tape.requiresGrad(h) || tape.requiresGrad(table);
  const r = lmHeadCrossEntropy(h, table, targets, { ...options, withGradients });
  tape.record({
    name: 'lmHeadLoss',
    inputs: [h, table],
    outputs: [r.loss],
    backward: ([dLoss]) => {
      if (!r.dh || !r.dTable)
        throw new InvalidArgumentError('lmHeadLoss: gradients were not computed', 'tape');
      // d loss / d inputs were computed for an upstream gradient of 1; scale by the real one.
      return [mul(r.dh, dLoss!), mul(r.dTable, dLoss!)];
    },
    release: () => {
      r.dh?.dispose();
      r.dTable?.dispose();
    },
  });
  return r.loss;
}
