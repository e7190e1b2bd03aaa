// sumRows: the sum over the leading dims of a tensor, as a fixed-order (deterministic) tree of
// block sums — the reduction behind broadcast gradients (bias, norm weights) in autograd.

import { defineParams } from '../../device/params.js';
import { ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingWindow } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import body from './sum-rows.wgsl';

/** Sizes of the sum-rows kernel: one source for the WGSL header and the dispatch. */
export const SUM_ROWS = { WORKGROUP: 256, ROWS_PER_BLOCK: 128 } as const;

const Params = defineParams('Params', { rows: 'u32', cols: 'u32', blocks: 'u32', x_offset: 'u32' });
const spec = {
  label: 'tensor/sum-rows',
  body,
  params: Params,
  constants: SUM_ROWS,
  storage: [{ name: 'x' }, { name: 'out', access: 'read_write' }],
} as const;

function sumBlocks(x: Tensor, rows: number, cols: number): Tensor<'f32'> {
  const ctx = x.ctx;
  const blocks = Math.ceil(rows / SUM_ROWS.ROWS_PER_BLOCK);
  const out = Tensor.empty(ctx, [blocks, cols], 'f32', 'sum-rows/out');
  const window = bindingWindow(x, 0, rows * cols);
  ctx.checkBindingSize('sumRows', 'x', window.binding.size);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({ rows, cols, blocks, x_offset: window.elemOffset }),
    bindings: [window.binding, out.buffer],
    workgroups: dispatch1d(
      workgroupCount(blocks * cols, SUM_ROWS.WORKGROUP),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: 'sum-rows',
  });
  return out;
}

/**
 * out[j...] = sum over the leading dims of x[..., j...], reducing x (rows..., trailing) to the
 * `trailing` shape (a suffix of x's shape) in a fixed order.
 * x: contiguous f32; returns a new f32 tensor of shape `trailing` the caller owns.
 */
export function sumRows(x: Tensor, trailing: readonly number[]): Tensor<'f32'> {
  const caller = 'sumRows';
  x.expectDType(caller, 'x', 'f32');
  const lead = x.shape.length - trailing.length;
  if (lead < 0 || trailing.some((d, i) => d !== x.shape[lead + i])) {
    throw new ShapeError(
      `${caller}: ${formatShape(trailing)} is not a trailing part of x's ${formatShape(x.shape)}`,
    );
  }
  const cols = trailing.reduce((p, d) => p * d, 1);
  let rows = cols === 0 ? 0 : x.numel / cols;
  if (rows === 0 || cols === 0) {
    return Tensor.fromArray(x.ctx, new Float32Array(cols), trailing, 'f32', 'sum-rows/out');
  }
  let current: Tensor = x; // contiguous: bindingWindow rejects strided views with a LayoutError
  let owned: Tensor | undefined;
  do {
    const next = sumBlocks(current, rows, cols);
    owned?.dispose();
    owned = next;
    current = next;
    rows = next.shape[0]!;
  } while (rows > 1);
  const result = owned!.reshape(trailing) as Tensor<'f32'>;
  owned!.dispose();
  return result;
}
