// CPU references of the global gradient norm and of clip_grad_norm_, in float64, with the GPU
// functions' signatures on host arrays.

/** The global L2 norm of every gradient, in float64. */
export function gradNormRef(grads: readonly ArrayLike<number>[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

/**
 * clip_grad_norm_ on host arrays: the pre-clip norm and the scale min(1, maxNorm / (norm + 1e-6)),
 * applied in place when < 1.
 */
export function clipGradNormRef(
  grads: readonly (Float64Array | Float32Array)[],
  maxNorm: number,
): { norm: number; scale: number } {
  const norm = gradNormRef(grads);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  if (scale < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= scale;
  return { norm, scale };
}
