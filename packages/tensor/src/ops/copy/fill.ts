// fill(t, value): sets every element of a contiguous 4-byte tensor on the GPU (zeros for
// gradients without a host upload: a (tokens x 2*dInner) zero tensor is 200 MB at mamba-130m's
// training shapes, which `zeros()` would send over the bus).

import { defineParams } from '../../device/params.js';
import { kernelPipeline } from '../../shader/builder.js';
import type { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, bindingWindow, itemsPerWindow } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import body from './fill.wgsl';

const WORKGROUP = 256;
const Params = defineParams('Params', { numel: 'u32', out_offset: 'u32', bits: 'u32' });
const spec = {
  label: 'tensor/fill',
  body,
  params: Params,
  constants: { WORKGROUP },
  storage: [{ name: 'out', type: 'u32', access: 'read_write' }],
} as const;

/** Sets every element of `t` (contiguous; f32, i32 or u32) to `value`, in place. Returns t. */
export function fill<T extends Tensor>(t: T, value: number): T {
  const caller = 'fill';
  t.expectDType(caller, 't', 'f32', 'i32', 'u32');
  if (t.numel === 0) return t;
  const ctx = t.ctx;
  const bits = new DataView(new ArrayBuffer(4));
  if (t.dtype === 'f32') bits.setFloat32(0, value, true);
  else if (t.dtype === 'i32') bits.setInt32(0, value, true);
  else bits.setUint32(0, value, true);
  const perWindow = Math.min(itemsPerWindow(ctx, caller, 'element', 4, bindingBudget(ctx)), 65535 * 65535);
  for (let start = 0; start < t.numel; start += perWindow) {
    const count = Math.min(perWindow, t.numel - start);
    const window = bindingWindow(t, start, count);
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: Params.pack({ numel: count, out_offset: window.elemOffset, bits: bits.getUint32(0, true) }),
      bindings: [window.binding],
      workgroups: dispatch1d(workgroupCount(count, WORKGROUP), ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
  }
  return t;
}
