// CPU references of softmax and log-softmax along the last dim (f64, max-subtracted).

/** x: (rows, dim). Returns (rows, dim): softmax, or log-softmax when `log`. */
export function softmaxRef(x: Float32Array, dim: number, log = false): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r * dim < x.length; r++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let d = 0; d < dim; d++) m = Math.max(m, x[r * dim + d]!);
    let s = 0;
    for (let d = 0; d < dim; d++) s += Math.exp(x[r * dim + d]! - m);
    for (let d = 0; d < dim; d++) {
      const v = x[r * dim + d]! - m;
      out[r * dim + d] = log ? v - Math.log(s) : Math.exp(v) / s;
    }
  }
  return out;
}

/** log-softmax along rows of `dim`. */
export function logSoftmaxRef(x: Float32Array, dim: number): Float32Array {
  return softmaxRef(x, dim, true);
}
