// contiguous(): the one shared path from a strided view to a row-major tensor. Kernels whose
// versions do not accept an operand's strides get a copy made here (`contiguousOperand`), never
// ad hoc. Contiguous views with an offset are copied with copyBufferToBuffer; others by a
// strided-gather kernel over the view coalesced to at most 4 dims.

import { defineParams } from '../../device/params.js';
import { LimitError } from '../../errors.js';
import { kernelPipeline, viewParamValues, viewParams } from '../../shader/builder.js';
import { coalesceLayout } from '../../tensor/layout.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, viewWindow } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import body from './contiguous.wgsl';

const MAX_RANK = 4;
const WORKGROUP = 256;
const Params = defineParams('Params', {
  numel: 'u32',
  d1: 'u32',
  d2: 'u32',
  d3: 'u32',
  out_offset: 'u32',
  ...viewParams('src', MAX_RANK),
});

/**
 * A row-major copy of `x` (a new tensor the caller owns), or a new reference to `x` itself when
 * it already is plain (contiguous from element 0): either way, dispose the result.
 * x: any shape, any dtype (strided views: 4-byte dtypes; f16/bf16 views are contiguous).
 */
export function contiguous<T extends Tensor>(x: T): T {
  const ctx = x.ctx;
  if (x.isPlain) return x.reshape(x.shape) as T;
  const out = Tensor.empty(ctx, x.shape, x.dtype, `${x.label}/contiguous`) as T;
  if (x.numel === 0) return out;
  if (x.isContiguous) {
    const bytes = out.byteLength;
    const start = x.offset * (x.byteLength / x.numel);
    ctx.copyBuffer(x.storageBuffer, start, out.buffer, 0, Math.ceil(bytes / 4) * 4);
    return out;
  }
  const view = coalesceLayout(x);
  if (view.shape.length > MAX_RANK) {
    out.dispose();
    throw new LimitError(
      `contiguous: the view of ${x.label} needs ${view.shape.length} dims after merging, more than ${MAX_RANK}`,
    );
  }
  const pad = MAX_RANK - view.shape.length;
  const dims = [...new Array<number>(pad).fill(1), ...view.shape];
  const budget = bindingBudget(ctx);
  const src = viewWindow(x, 'contiguous', 'the source view', budget);
  ctx.checkBindingSize('contiguous', 'out', out.byteLength);
  const spec = {
    label: 'tensor/contiguous',
    body,
    params: Params,
    constants: { WORKGROUP },
    storage: [
      { name: 'src', type: x.dtype, view: MAX_RANK },
      { name: 'out', type: x.dtype, access: 'read_write' },
    ],
  } as const;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({
      numel: x.numel,
      d1: dims[1]!,
      d2: dims[2]!,
      d3: dims[3]!,
      out_offset: 0,
      ...viewParamValues('src', view, src.elemOffset, MAX_RANK),
    } as Parameters<typeof Params.pack>[0]),
    bindings: [src.binding, out.buffer],
    workgroups: dispatch1d(workgroupCount(x.numel, WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'contiguous',
  });
  return out;
}

/**
 * The operand a kernel that needs contiguity binds: `x` itself when plain, else a contiguous copy
 * pushed onto `temporaries` (dispose them after recording). The one shared path for kernel
 * versions whose `supports()` rejects an operand's strides.
 */
export function contiguousOperand<T extends Tensor>(x: T, temporaries: Tensor[]): T {
  if (x.isPlain) return x;
  const copy = contiguous(x);
  temporaries.push(copy);
  return copy;
}

/** A row-major copy of `x.transpose(a, b)` (new, caller owns): the view is made and let go here. */
export function contiguousTranspose<T extends Tensor>(x: T, a: number, b: number): T {
  const view = x.transpose(a, b) as T;
  const copy = contiguous(view);
  view.dispose();
  return copy;
}
