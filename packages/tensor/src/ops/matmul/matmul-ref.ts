// CPU reference of matmul: out = x @ W^T (+ bias) (+ residual), accumulating in f64.
// Packed weights are passed already rounded (see `roundThrough`).

/**
 * x: (m, k) row-major; w: (n, k) row-major; bias: (n); residual: (m, n). Returns (m, n) f32.
 */
export function matmulRef(
  x: Float32Array,
  w: Float32Array,
  m: number,
  n: number,
  k: number,
  bias?: Float32Array,
  residual?: Float32Array,
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += x[i * k + l]! * w[j * k + l]!;
      if (bias) s += bias[j]!;
      if (residual) s += residual[i * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}
