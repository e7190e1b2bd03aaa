// Finite-difference gradient checks in float64: the numerical gradient of a scalar function of
// host arrays (a CPU reference), to hold analytic (GPU autograd) gradients against.

/**
 * Central differences of `f` with respect to every element of every input:
 * (f(x + eps e_i) - f(x - eps e_i)) / (2 eps). `f` must be a float64 computation.
 */
export function numericGradient(
  f: (inputs: readonly Float64Array[]) => number,
  inputs: readonly ArrayLike<number>[],
  eps = 1e-6,
): Float64Array[] {
  const xs = inputs.map((x) => Float64Array.from(x));
  return xs.map((x) => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      x[i] = v + eps;
      const up = f(xs);
      x[i] = v - eps;
      const down = f(xs);
      x[i] = v;
      g[i] = (up - down) / (2 * eps);
    }
    return g;
  });
}

/** sum(a * b) in float64: the scalar `sum(y * dy)` whose gradient is an op's backward given dy. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
