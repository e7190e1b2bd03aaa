// Host code of the strided gather (layout changes and slices between model stages).

import { type GpuContext, LimitError, Tensor } from '@mamba-webgpu/tensor';
import { defineParams } from '@mamba-webgpu/tensor/internal';
import source from './strided-copy.wgsl';

const Params = defineParams('Params', {
  rows: 'u32',
  cols: 'u32',
  offset: 'u32',
  stride_b: 'u32',
  stride_i: 'u32',
  stride_j: 'u32',
});
const code = Params.wgsl + source;

export interface StridedView {
  /** Element offset of [0, 0, 0] in the source. */
  offset: number;
  strideB: number;
  strideI: number;
  strideJ: number;
}

/**
 * out (batch, rows, cols) = src viewed with `view` strides. Writes into `options.out` when given;
 * `options.outShape` gives the result another shape of the same size (e.g. drop batch = 1).
 * src: any f32 tensor holding the viewed elements.
 */
export function stridedCopy(
  src: Tensor,
  shape: readonly [number, number, number],
  view: StridedView,
  options: { out?: Tensor; label?: string; outShape?: readonly number[] } = {},
): Tensor<'f32'> {
  const ctx: GpuContext = src.ctx;
  const [batch, rows, cols] = shape;
  const label = options.label ?? 'strided-copy';
  const result = (options.out ?? Tensor.empty(ctx, options.outShape ?? shape, 'f32', label)) as Tensor<'f32'>;
  if (batch > ctx.limits.maxComputeWorkgroupsPerDimension) {
    throw new LimitError(`stridedCopy: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  }
  ctx.dispatch({
    pipeline: ctx.pipeline('mamba-model/strided-copy', code),
    params: Params.pack({
      rows,
      cols,
      offset: view.offset,
      stride_b: view.strideB,
      stride_i: view.strideI,
      stride_j: view.strideJ,
    }),
    bindings: [src.buffer, result.buffer],
    workgroups: [Math.ceil(cols / 16), Math.ceil(rows / 16), batch],
    label,
  });
  return result;
}

/** (batch, rows, cols) contiguous -> (batch, cols, rows). */
export function transpose12(
  src: Tensor,
  batch: number,
  rows: number,
  cols: number,
  label?: string,
): Tensor<'f32'> {
  return stridedCopy(
    src,
    [batch, cols, rows],
    { offset: 0, strideB: rows * cols, strideI: 1, strideJ: cols },
    { label },
  );
}
