// Host code of softmax and log-softmax along the last dim (numerically stable, three passes per
// row in one workgroup, so a vocab-long row is fine); rows split into binding-sized chunks. A
// strided view is read through its contiguous copy.

import { defineParams } from '../../device/params.js';
import { ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { REDUCE } from '../../shader/library.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import { type ChunkingOptions, bindingBudget, bindingWindow, itemsPerWindow } from '../binding-window.js';
import { dispatch1d } from '../launch.js';
import { windowOperand } from '../operand.js';
import { requireTensor } from '../validate.js';
import body from './softmax.wgsl';

const Params = defineParams('Params', { rows: 'u32', dim: 'u32', x_off: 'u32', out_off: 'u32' });

function run(caller: string, x: Tensor, log: boolean, options: ChunkingOptions): Tensor<'f32'> {
  requireTensor(caller, 'x', x);
  x.expectDType(caller, 'x', 'f32');
  const dim = x.shape[x.shape.length - 1];
  if (dim === undefined) throw new ShapeError(`${caller}: x must be (..., dim), got ${formatShape(x.shape)}`);
  const ctx = x.ctx;
  const out = Tensor.empty(ctx, x.shape, 'f32', `${caller}/out`);
  if (x.numel === 0) return out;
  const rows = x.numel / dim;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const perWindow = Math.min(itemsPerWindow(ctx, caller, 'row', dim * 4, budget), 65535 * 65535);
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/softmax',
    body,
    params: Params,
    constants: { LOG: log },
    libraries: [REDUCE],
    storage: [{ name: 'x' }, { name: 'out', access: 'read_write' }],
  });
  const temporaries: Tensor[] = [];
  const input = windowOperand(x, temporaries);
  for (let r0 = 0; r0 < rows; r0 += perWindow) {
    const rc = Math.min(perWindow, rows - r0);
    const xw = bindingWindow(input, r0 * dim, rc * dim);
    const ow = bindingWindow(out, r0 * dim, rc * dim);
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

/** softmax along the last dim. x: (..., dim) f32; returns (..., dim) f32 the caller owns. */
export function softmax(x: Tensor, options: ChunkingOptions = {}): Tensor<'f32'> {
  return run('softmax', x, false, options);
}

/** log-softmax along the last dim. x: (..., dim) f32; returns (..., dim) f32 the caller owns. */
export function logSoftmax(x: Tensor, options: ChunkingOptions = {}): Tensor<'f32'> {
  return run('logSoftmax', x, true, options);
}
