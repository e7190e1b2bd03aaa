// How far a quantized (or otherwise reduced) model's outputs are from a reference's: the figures
// the quantization tests hold to bounds and the bench reports. Pure functions over host arrays.

/** Agreement of two sets of logits over the same positions. */
export interface LogitAgreement {
  /** Mean over positions of KL(softmax(reference) || softmax(candidate)), in nats. */
  meanKl: number;
  /** The largest per-position KL. */
  maxKl: number;
  /** Fraction of positions whose argmax agrees. */
  top1: number;
  positions: number;
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (v) => v - lse);
}

/** Index of the largest value (the first of ties). */
export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * KL divergence and top-1 agreement of `candidate` against `reference`, both (positions, vocab)
 * flattened row-major.
 */
export function compareLogits(
  reference: Float32Array,
  candidate: Float32Array,
  vocab: number,
): LogitAgreement {
  if (reference.length !== candidate.length || reference.length % vocab !== 0) {
    throw new RangeError(
      `compareLogits: both logits must be (positions, ${vocab}), got ${reference.length} and ${candidate.length} values`,
    );
  }
  const positions = reference.length / vocab;
  let klSum = 0;
  let maxKl = 0;
  let agree = 0;
  for (let p = 0; p < positions; p++) {
    const r = reference.subarray(p * vocab, (p + 1) * vocab);
    const c = candidate.subarray(p * vocab, (p + 1) * vocab);
    const lr = logSoftmax(r);
    const lc = logSoftmax(c);
    let kl = 0;
    for (let i = 0; i < vocab; i++) kl += Math.exp(lr[i]!) * (lr[i]! - lc[i]!);
    klSum += kl;
    maxKl = Math.max(maxKl, kl);
    if (argmax(r) === argmax(c)) agree++;
  }
  return { meanKl: klSum / positions, maxKl, top1: agree / positions, positions };
}

/** ||candidate - reference|| / ||reference|| (L2 over all elements). */
export function relativeError(reference: ArrayLike<number>, candidate: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = candidate[i]! - reference[i]!;
    num += d * d;
    den += reference[i]! * reference[i]!;
  }
  return Math.sqrt(num / Math.max(den, Number.MIN_VALUE));
}
