// weightlessRmsNorm on the tape: the forward against a float64 reference, and the gradient of
// sum(y * dy) against float64 central differences, on awkward shapes (dim 1, a strided input).
import { Tape, Tensor, autograd as ad, dot, getGpuContext, numericGradient } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import { weightlessRmsNorm } from './selection-norm.js';

/** x * rsqrt(mean(x^2) + eps) per row of `dim`, in float64. */
function reference(x: ArrayLike<number>, dim: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r * dim < x.length; r++) {
    let squares = 0;
    for (let d = 0; d < dim; d++) squares += x[r * dim + d]! ** 2;
    const inv = 1 / Math.sqrt(squares / dim + eps);
    for (let d = 0; d < dim; d++) y[r * dim + d] = x[r * dim + d]! * inv;
  }
  return y;
}

describe('weightlessRmsNorm: forward and gradient vs float64', () => {
  // rows, dim, eps, read through a column slice (strided)
  const cases: [number, number, number, boolean][] = [
    [1, 1, 1e-6, false],
    [3, 16, 1e-6, true],
    [37, 8, 1e-6, true],
    [5, 257, 1e-3, false],
  ];
  for (const [rows, dim, eps, strided] of cases) {
    it(`(${rows}, ${dim}) eps ${eps}${strided ? ', strided' : ''}`, async () => {
      const ctx = await getGpuContext();
      const rng = new SeededRandom(rows * 13 + dim);
      const xHost = rng.array(rows * dim, () => rng.normal() * 2);
      const dyHost = rng.array(rows * dim);
      const pad = strided ? 3 : 0;
      const wideHost = new Float32Array(rows * (dim + pad));
      for (let r = 0; r < rows; r++)
        wideHost.set(xHost.subarray(r * dim, (r + 1) * dim), r * (dim + pad) + pad);
      using wide = Tensor.fromArray(ctx, wideHost, [rows, dim + pad], 'f32');
      using dy = Tensor.fromArray(ctx, dyHost, [rows, dim], 'f32');
      const tape = new Tape();
      tape.param(wide);
      const x = strided ? ad.slice(tape, wide, 1, pad, pad + dim) : wide; // (rows, dim)
      const y = weightlessRmsNorm(tape, x, eps);
      expectAllClose(await y.read(), reference(xHost, dim, eps), { ...TOLERANCES.f32, label: 'y' });
      tape.backward([[y, dy]]);
      const [dWide] = tape.grads([wide]);
      const got = (await dWide!.read()) as Float32Array;
      const dx = new Float32Array(rows * dim);
      for (let r = 0; r < rows; r++)
        dx.set(got.subarray(r * (dim + pad) + pad, (r + 1) * (dim + pad)), r * dim);
      const [want] = numericGradient(([v]) => dot(reference(v!, dim, eps), dyHost), [xHost]);
      expectAllClose(dx, want!, { ...TOLERANCES.f32, label: 'dx' });
      dWide!.dispose();
      tape.dispose();
      await ctx.checkErrors();
    });
  }
});
