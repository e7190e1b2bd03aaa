// FalconMamba's weightless RMSNorm of the selection inputs dt, B and C on the autograd tape:
// y = x * rsqrt(mean(x^2) + eps) over the last dim (transformers' `rms_forward`). The forward and
// backward are tensor's rmsNorm kernels with a unit weight; its gradient is dropped.

import { type Tape, Tensor, rmsNorm, rmsNormBackward, retainPlain as plain } from '@mamba-webgpu/tensor';

/**
 * y = x * rsqrt(mean(x^2) + eps) along the last dim, without a weight. x: (..., dim) (a view is
 * copied). The gradient reaches x.
 */
export function weightlessRmsNorm(tape: Tape, x: Tensor, eps: number): Tensor<'f32'> {
  const xs = plain(x);
  const dim = xs.shape[xs.shape.length - 1]!;
  const unit = Tensor.fromArray(
    xs.ctx,
    new Float32Array(dim).fill(1),
    [dim],
    'f32',
    'training/unit-norm-weight',
  );
  const y = rmsNorm(xs, unit, { eps });
  tape.record({
    name: 'weightlessRmsNorm',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => {
      const g = rmsNormBackward(xs, unit, dy!, { eps });
      g.dWeight.dispose();
      return [g.dx];
    },
    release: () => {
      xs.dispose();
      unit.dispose();
    },
  });
  return y;
}
