// copyInto(dst, src): writes a tensor into a (possibly strided) view of another, element by
// element — how autograd puts the gradient of a slice or transpose back into its base's layout.

import { defineParams } from '../../device/params.js';
import { LimitError } from '../../errors.js';
import { kernelPipeline, viewParamValues, viewParams } from '../../shader/builder.js';
import type { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, viewWindow } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import body from './copy-into.wgsl';

const RANK = 4;
const WORKGROUP = 256;
const Params = defineParams('Params', {
  numel: 'u32',
  d1: 'u32',
  d2: 'u32',
  d3: 'u32',
  ...viewParams('src', RANK),
  ...viewParams('dst', RANK),
});

function padded(t: Tensor): { shape: number[]; strides: number[] } {
  const pad = RANK - t.shape.length;
  return {
    shape: [...new Array<number>(pad).fill(1), ...t.shape],
    strides: [...new Array<number>(pad).fill(0), ...t.strides],
  };
}

/**
 * dst[...] = src[...] element-wise, dst a view (its base sees the writes). src, dst: the same
 * shape (at most 4 dims), 4-byte dtypes, not overlapping.
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  const caller = 'copyInto';
  dst.expectShape(caller, 'dst', src.shape, 'like src');
  dst.expectDType(caller, 'dst', src.dtype);
  src.expectDType(caller, 'src', 'f32', 'i32', 'u32');
  if (src.shape.length > RANK)
    throw new LimitError(`${caller}: at most ${RANK} dims, got ${src.shape.length}`);
  if (src.numel === 0) return;
  const ctx = dst.ctx;
  const budget = bindingBudget(ctx);
  const sw = viewWindow(src, caller, 'src', budget);
  const dw = viewWindow(dst, caller, 'dst', budget);
  const s = padded(src);
  const d = padded(dst);
  const spec = {
    label: 'tensor/copy-into',
    body,
    params: Params,
    constants: { WORKGROUP },
    storage: [
      { name: 'src', type: src.dtype, view: RANK },
      { name: 'dst', type: dst.dtype, access: 'read_write', view: RANK },
    ],
  } as const;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({
      numel: src.numel,
      d1: s.shape[1]!,
      d2: s.shape[2]!,
      d3: s.shape[3]!,
      ...viewParamValues('src', s, sw.elemOffset, RANK),
      ...viewParamValues('dst', d, dw.elemOffset, RANK),
    } as Parameters<typeof Params.pack>[0]),
    bindings: [sw.binding, dw.binding],
    workgroups: dispatch1d(workgroupCount(src.numel, WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension),
    label: caller,
  });
}
