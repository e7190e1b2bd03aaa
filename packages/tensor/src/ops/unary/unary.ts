// Host code of the element-wise unary ops (silu, softplus, exp, neg, sigmoid) on f32 tensors.
// Tensors larger than one binding are processed in binding-sized chunks; a strided view is read
// through its contiguous copy (the kernel indexes elements linearly).

import { defineParams } from '../../device/params.js';
import { codeConstants, kernelPipeline } from '../../shader/builder.js';
import { MATH } from '../../shader/library.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import { contiguousOperand } from '../copy/contiguous.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import { requireTensor } from '../validate.js';
import body from './unary.wgsl';

export type UnaryOp = 'silu' | 'softplus' | 'exp' | 'neg' | 'sigmoid';

/** The kernel's op codes (generated into its header as OP_SILU...). */
const OP_CODES = { silu: 0, softplus: 1, exp: 2, neg: 3, sigmoid: 4 } as const satisfies Record<
  UnaryOp,
  number
>;

/** The kernel's sizes: its header and the dispatch both read them. */
const UNARY = { WORKGROUP: 256 } as const;

const Params = defineParams('Params', { numel: 'u32' });

/** Largest chunk of elements per dispatch: a binding-size-limited, 256-byte-aligned count. */
export function chunkElements(maxBindingBytes: number, bytesPerElement = 4): number {
  return Math.floor(maxBindingBytes / 256) * (256 / bytesPerElement);
}

/** out = op(x), element-wise. x: any shape, f32 (any view). Returns a new tensor the caller owns. */
export function unary(op: UnaryOp, x: Tensor): Tensor<'f32'> {
  const caller = op;
  requireTensor(caller, 'x', x);
  x.expectDType(caller, 'x', 'f32');
  const ctx = x.ctx;
  const out = Tensor.empty(ctx, x.shape, 'f32', `${op}/out`);
  if (x.numel === 0) return out;
  const temporaries: Tensor[] = [];
  const input = contiguousOperand(x, temporaries);
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/unary',
    body,
    params: Params,
    constants: { ...UNARY, ...codeConstants('OP', OP_CODES), OP: OP_CODES[op] },
    libraries: [MATH],
    storage: [{ name: 'x' }, { name: 'out', access: 'read_write' }],
  });
  const chunk = chunkElements(ctx.limits.maxStorageBufferBindingSize);
  for (let start = 0; start < x.numel; start += chunk) {
    const n = Math.min(chunk, x.numel - start);
    ctx.dispatch({
      pipeline,
      params: Params.pack({ numel: n }),
      bindings: [
        { buffer: input.buffer, offset: start * 4, size: n * 4 },
        { buffer: out.buffer, offset: start * 4, size: n * 4 },
      ],
      workgroups: dispatch1d(workgroupCount(n, UNARY.WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension),
      label: op,
    });
  }
  disposeAll(...temporaries);
  return out;
}

/** SiLU: x * sigmoid(x). */
export const silu = (x: Tensor) => unary('silu', x);
/** softplus(x) = log(1 + exp(x)), linear above 20 (as PyTorch). */
export const softplus = (x: Tensor) => unary('softplus', x);
/** exp(x). */
export const exp = (x: Tensor) => unary('exp', x);
