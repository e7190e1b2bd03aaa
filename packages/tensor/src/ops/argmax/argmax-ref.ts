// CPU reference of argmax along the last dim (first index on ties).

/** x: (rows, dim). Returns (rows) i32. */
export function argmaxRef(x: Float32Array, dim: number): Int32Array {
  const rows = x.length / dim;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let d = 1; d < dim; d++) if (x[r * dim + d]! > x[r * dim + best]!) best = d;
    out[r] = best;
  }
  return out;
}
