// Backward of logSoftmax along the last dim, from the forward's output (dx = dy - softmax * sum dy).

import { defineParams } from '../../device/params.js';
import { kernelPipeline } from '../../shader/builder.js';
import { REDUCE } from '../../shader/library.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, wholeBinding } from '../binding-window.js';
import { dispatch1d } from '../launch.js';
import body from './log-softmax-backward.wgsl';

const Params = defineParams('Params', { rows: 'u32', dim: 'u32' });
const spec = {
  label: 'tensor/log-softmax-backward',
  body,
  params: Params,
  libraries: [REDUCE],
  storage: [{ name: 'out' }, { name: 'dy' }, { name: 'dx', access: 'read_write' }],
} as const;

/** out: (..., dim) f32, logSoftmax's output; dy: like out. Returns dx (new, caller owns). */
export function logSoftmaxBackward(out: Tensor, dy: Tensor): Tensor<'f32'> {
  const caller = 'logSoftmaxBackward';
  out.expectDType(caller, 'out', 'f32');
  dy.expectShape(caller, 'dy', out.shape, 'like out');
  const ctx = out.ctx;
  const dim = out.shape[out.shape.length - 1] ?? 0;
  const rows = dim === 0 ? 0 : out.numel / dim;
  const dx = Tensor.empty(ctx, out.shape, 'f32', 'log-softmax-backward/dx');
  if (rows === 0) return dx;
  const budget = bindingBudget(ctx);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({ rows, dim }),
    bindings: [
      wholeBinding(out, caller, 'out', budget).binding,
      wholeBinding(dy, caller, 'dy', budget).binding,
      wholeBinding(dx, caller, 'dx', budget).binding,
    ],
    workgroups: dispatch1d(rows, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: caller,
  });
  return dx;
}

/** CPU reference of `logSoftmaxBackward` (float64). */
export function logSoftmaxBackwardRef(
  out: ArrayLike<number>,
  dy: ArrayLike<number>,
  dim: number,
): Float64Array {
  const dx = new Float64Array(out.length);
  for (let r = 0; r < out.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += dy[r * dim + d]!;
    for (let d = 0; d < dim; d++) dx[r * dim + d] = dy[r * dim + d]! - Math.exp(out[r * dim + d]!) * s;
  }
  return dx;
}
