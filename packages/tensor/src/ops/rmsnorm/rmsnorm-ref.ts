// CPU reference of RMSNorm with the fused residual add (f64 accumulation).

/**
 * x, residualIn: (rows, dim); weight: (dim). residual = x + residualIn (or x);
 * out = residual / sqrt(mean(residual^2) + eps) * weight.
 */
export function addRmsNormRef(
  x: Float32Array,
  residualIn: Float32Array | undefined,
  weight: Float32Array,
  dim: number,
  eps = 1e-5,
): { out: Float32Array; residual: Float32Array } {
  const residual = new Float32Array(x.length);
  const out = new Float32Array(x.length);
  for (let r = 0; r * dim < x.length; r++) {
    let squares = 0;
    for (let d = 0; d < dim; d++) {
      const i = r * dim + d;
      const v = Math.fround(x[i]! + (residualIn ? residualIn[i]! : 0));
      residual[i] = v;
      squares += v * v;
    }
    const inv = 1 / Math.sqrt(squares / dim + eps);
    for (let d = 0; d < dim; d++) out[r * dim + d] = residual[r * dim + d]! * inv * weight[d]!;
  }
  return { out, residual };
}

/** out = x / sqrt(mean(x^2) + eps) * weight along rows of `dim`. */
export function rmsNormRef(x: Float32Array, weight: Float32Array, dim: number, eps = 1e-5): Float32Array {
  return addRmsNormRef(x, undefined, weight, dim, eps).out;
}
