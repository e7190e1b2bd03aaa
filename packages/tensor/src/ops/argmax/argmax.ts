// Host code of argmax along the last dim (greedy decoding over the vocab): rows are split into
// binding-sized chunks; one workgroup scans a whole row, so any row length works. A strided view
// is read through its contiguous copy.

import { defineParams } from '../../device/params.js';
import { ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import { type ChunkingOptions, bindingBudget, bindingWindow, itemsPerWindow } from '../binding-window.js';
import { dispatch1d } from '../launch.js';
import { windowOperand } from '../operand.js';
import { requireTensor } from '../validate.js';
import body from './argmax.wgsl';

/** The kernel's sizes: one workgroup of WORKGROUP threads (a power of two) per row. */
const ARGMAX = { WORKGROUP: 256 } as const;

const Params = defineParams('Params', { rows: 'u32', dim: 'u32', x_off: 'u32', out_off: 'u32' });

/**
 * Index of the largest element along the last dim, the first one on ties (as torch.argmax).
 * x: (..., dim) f32 with dim > 0; returns (...) i32 the caller owns. NaN handling is unspecified.
 */
export function argmax(x: Tensor, options: ChunkingOptions = {}): Tensor<'i32'> {
  const caller = 'argmax';
  requireTensor(caller, 'x', x);
  x.expectDType(caller, 'x', 'f32');
  const dim = x.shape[x.shape.length - 1];
  if (!dim) throw new ShapeError(`${caller}: x must be (..., dim) with dim > 0, got ${formatShape(x.shape)}`);
  const ctx = x.ctx;
  const rows = x.numel / dim;
  const out = Tensor.empty(ctx, x.shape.slice(0, -1), 'i32', 'argmax/out');
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const perWindow = Math.min(itemsPerWindow(ctx, caller, 'row', dim * 4, budget), 65535 * 65535);
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/argmax',
    body,
    params: Params,
    constants: ARGMAX,
    storage: [{ name: 'x' }, { name: 'out', type: 'i32', access: 'read_write' }],
  });
  const temporaries: Tensor[] = [];
  const input = windowOperand(x, temporaries);
  for (let r0 = 0; r0 < rows; r0 += perWindow) {
    const rc = Math.min(perWindow, rows - r0);
    const xw = bindingWindow(input, r0 * dim, rc * dim);
    const ow = bindingWindow(out, r0, rc);
    ctx.dispatch({
      pipeline,
      params: Params.pack({ rows: rc, dim, x_off: xw.elemOffset, out_off: ow.elemOffset }),
      bindings: [xw.binding, ow.binding],
      workgroups: dispatch1d(rc, ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
  }
  disposeAll(...temporaries);
  return out;
}
