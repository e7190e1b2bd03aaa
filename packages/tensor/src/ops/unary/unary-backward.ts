// Backward of the unary ops (silu, softplus, exp, neg, sigmoid): dx = dy * f'(x), with f'
// recomputed from the forward's input. Used by autograd; CPU reference `unaryBackwardRef`.

import { defineParams } from '../../device/params.js';
import { kernelPipeline } from '../../shader/builder.js';
import { MATH } from '../../shader/library.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, wholeBinding } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import type { UnaryOp } from './unary.js';
import body from './unary-backward.wgsl';

const OP_CODES: Record<UnaryOp, number> = { silu: 0, softplus: 1, exp: 2, neg: 3, sigmoid: 4 };
const WORKGROUP = 256;
const Params = defineParams('Params', { numel: 'u32' });

/** dx = dy * op'(x). x, dy: same shape, contiguous f32; returns dx (new, caller owns). */
export function unaryBackward(op: UnaryOp, x: Tensor, dy: Tensor): Tensor<'f32'> {
  const caller = `${op}Backward`;
  x.expectDType(caller, 'x', 'f32');
  dy.expectDType(caller, 'dy', 'f32');
  dy.expectShape(caller, 'dy', x.shape, 'like x');
  const ctx = x.ctx;
  const dx = Tensor.empty(ctx, x.shape, 'f32', `${op}-backward/dx`);
  if (x.numel === 0) return dx;
  const budget = bindingBudget(ctx);
  const spec = {
    label: 'tensor/unary-backward',
    body,
    params: Params,
    constants: { WORKGROUP, OP: OP_CODES[op] },
    libraries: [MATH],
    storage: [{ name: 'x' }, { name: 'dy' }, { name: 'dx', access: 'read_write' }],
  } as const;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({ numel: x.numel }),
    bindings: [
      wholeBinding(x, caller, 'x', budget).binding,
      wholeBinding(dy, caller, 'dy', budget).binding,
      wholeBinding(dx, caller, 'dx', budget).binding,
    ],
    workgroups: dispatch1d(workgroupCount(x.numel, WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension),
    label: caller,
  });
  return dx;
}

/** CPU reference of `unaryBackward` (float64 math). */
export function unaryBackwardRef(op: UnaryOp, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const d: Record<UnaryOp, (v: number) => number> = {
    silu: (v) => sig(v) * (1 + v * (1 - sig(v))),
    softplus: sig,
    exp: Math.exp,
    neg: () => -1,
    sigmoid: (v) => sig(v) * (1 - sig(v)),
  };
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = dy[i]! * d[op](x[i]!);
  return out;
}
