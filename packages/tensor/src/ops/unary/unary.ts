// Host code of the element-wise unary ops (silu, softplus, exp, neg, sigmoid) on f32 tensors.
// Tensors larger than one binding are processed in binding-sized chunks.

import { defineParams } from '../../device/params.js';
import { Tensor } from '../../tensor/tensor.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import source from './unary.wgsl';

export type UnaryOp = 'silu' | 'softplus' | 'exp' | 'neg' | 'sigmoid';
const OP_CODES: Record<UnaryOp, number> = { silu: 0, softplus: 1, exp: 2, neg: 3, sigmoid: 4 };

const Params = defineParams('Params', { numel: 'u32' });
const code = Params.wgsl + source;

/** Largest chunk of elements per dispatch: a binding-size-limited, 256-byte-aligned count. */
export function chunkElements(maxBindingBytes: number, bytesPerElement = 4): number {
  return Math.floor(maxBindingBytes / 256) * (256 / bytesPerElement);
}

/** out = op(x), element-wise. x: any shape, f32. Returns a new tensor the caller owns. */
export function unary(op: UnaryOp, x: Tensor): Tensor<'f32'> {
  const caller = op;
  x.expectDType(caller, 'x', 'f32');
  const ctx = x.ctx;
  const out = Tensor.empty(ctx, x.shape, 'f32', `${op}/out`);
  const pipeline = ctx.pipeline('tensor/unary', code, { OP: OP_CODES[op] });
  const chunk = chunkElements(ctx.limits.maxStorageBufferBindingSize);
  for (let start = 0; start < x.numel; start += chunk) {
    const n = Math.min(chunk, x.numel - start);
    ctx.dispatch({
      pipeline,
      params: Params.pack({ numel: n }),
      bindings: [
        { buffer: x.buffer, offset: start * 4, size: n * 4 },
        { buffer: out.buffer, offset: start * 4, size: n * 4 },
      ],
      workgroups: dispatch1d(workgroupCount(n, 256), ctx.limits.maxComputeWorkgroupsPerDimension),
      label: op,
    });
  }
  return out;
}

/** SiLU: x * sigmoid(x). */
export const silu = (x: Tensor) => unary('silu', x);
/** softplus(x) = log(1 + exp(x)), linear above 20 (as PyTorch). */
export const softplus = (x: Tensor) => unary('softplus', x);
/** exp(x). */
export const exp = (x: Tensor) => unary('exp', x);
