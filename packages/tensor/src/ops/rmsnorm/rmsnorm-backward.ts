// Backward of RMSNorm (and of the fused add-norm, whose normalised input is also the residual
// stream): dx and dWeight from the forward's input, recomputing the row scale. The weight
// gradient is a fixed-order sum over rows (sumRows), so it is bitwise deterministic.

import { defineParams } from '../../device/params.js';
import { kernelPipeline } from '../../shader/builder.js';
import { REDUCE } from '../../shader/library.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, dummyBinding, wholeBinding } from '../binding-window.js';
import { dispatch1d } from '../launch.js';
import { sumRows } from '../reduce/sum-rows.js';
import body from './rmsnorm-backward.wgsl';

const Params = defineParams('Params', { rows: 'u32', dim: 'u32', eps: 'f32' });

export interface RmsNormBackwardResult {
  /** (..., dim): the gradient of the normalised input (plus `dResidual` when given). */
  dx: Tensor<'f32'>;
  /** (dim). */
  dWeight: Tensor<'f32'>;
}

/**
 * x: (..., dim) f32, the normalised input (for the fused add-norm: its residual output);
 * weight: (dim) f32; dy: like x; dResidual: like x, the gradient reaching the residual output.
 */
export function rmsNormBackward(
  x: Tensor,
  weight: Tensor,
  dy: Tensor,
  options: { eps?: number; dResidual?: Tensor } = {},
): RmsNormBackwardResult {
  const caller = 'rmsNormBackward';
  x.expectDType(caller, 'x', 'f32');
  const dim = x.shape[x.shape.length - 1] ?? 0;
  weight.expectDType(caller, 'weight', 'f32');
  weight.expectShape(caller, 'weight', [dim], '(dim)');
  dy.expectShape(caller, 'dy', x.shape, 'like x');
  options.dResidual?.expectShape(caller, 'dResidual', x.shape, 'like x');
  const ctx = x.ctx;
  const rows = dim === 0 ? 0 : x.numel / dim;
  const dx = Tensor.empty(ctx, x.shape, 'f32', 'rmsnorm-backward/dx');
  const dwRows = Tensor.empty(ctx, x.shape, 'f32', 'rmsnorm-backward/dw-rows');
  const budget = bindingBudget(ctx);
  const spec = {
    label: 'tensor/rmsnorm-backward',
    body,
    params: Params,
    constants: { HAS_RESIDUAL_GRAD: options.dResidual !== undefined },
    libraries: [REDUCE],
    storage: [
      { name: 'x' },
      { name: 'weight' },
      { name: 'dy' },
      { name: 'd_residual' },
      { name: 'dx', access: 'read_write' },
      { name: 'dw_rows', access: 'read_write' },
    ],
  } as const;
  if (rows > 0) {
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: Params.pack({ rows, dim, eps: options.eps ?? 1e-5 }),
      bindings: [
        wholeBinding(x, caller, 'x', budget).binding,
        wholeBinding(weight, caller, 'weight', budget).binding,
        wholeBinding(dy, caller, 'dy', budget).binding,
        options.dResidual
          ? wholeBinding(options.dResidual, caller, 'dResidual', budget).binding
          : dummyBinding(ctx),
        wholeBinding(dx, caller, 'dx', budget).binding,
        wholeBinding(dwRows, caller, 'dw_rows', budget).binding,
      ],
      workgroups: dispatch1d(rows, ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
  }
  const dWeight = sumRows(dwRows, [dim]);
  dwRows.dispose();
  return { dx, dWeight };
}

/** CPU reference of `rmsNormBackward` (float64). */
export function rmsNormBackwardRef(
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  dy: ArrayLike<number>,
  dim: number,
  eps = 1e-5,
  dResidual?: ArrayLike<number>,
): { dx: Float64Array; dWeight: Float64Array } {
  const rows = x.length / dim;
  const dx = new Float64Array(x.length);
  const dWeight = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    let dot = 0;
    for (let d = 0; d < dim; d++) {
      const v = x[r * dim + d]!;
      sq += v * v;
      dot += dy[r * dim + d]! * weight[d]! * v;
    }
    const inv = 1 / Math.sqrt(sq / dim + eps);
    const k = (dot * inv * inv * inv) / dim;
    for (let d = 0; d < dim; d++) {
      const i = r * dim + d;
      dx[i] = inv * dy[i]! * weight[d]! - x[i]! * k + (dResidual ? dResidual[i]! : 0);
      dWeight[d]! += dy[i]! * x[i]! * inv;
    }
  }
  return { dx, dWeight };
}
