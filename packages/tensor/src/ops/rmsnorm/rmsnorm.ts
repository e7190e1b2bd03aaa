// Host code of RMSNorm with the fused residual add of mamba's `layer_norm_fn(..., prenorm=True,
// residual_in_fp32=True)`: residualOut = x + residualIn, out = rmsnorm(residualOut) * weight.
// Rows are split into binding-sized chunks when the activations exceed one binding.

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  dummyBinding,
  dummyWritableBinding,
  itemsPerWindow,
  wholeBinding,
} from '../binding-window.js';
import { dispatch1d } from '../launch.js';
import reduce from '../row-reduce.wgsl';
import { readBindingWgsl } from '../wgsl-common.js';
import source from './rmsnorm.wgsl';

const Params = defineParams('Params', {
  rows: 'u32',
  dim: 'u32',
  eps: 'f32',
  x_off: 'u32',
  res_in_off: 'u32',
  out_off: 'u32',
  res_out_off: 'u32',
});

export interface RmsNormOptions extends ChunkingOptions {
  /** Added to the mean square before the square root; default 1e-5 (mamba's RMSNorm). */
  eps?: number;
  /** (..., dim) f32 to write into instead of allocating. */
  out?: Tensor;
}

export interface AddRmsNormOptions extends RmsNormOptions {
  /** (..., dim) f32 to write the updated residual into instead of allocating. */
  residualOut?: Tensor;
}

function checkOut(caller: string, name: string, t: Tensor, shape: readonly number[], inputs: Tensor[]): void {
  t.expectDType(caller, name, 'f32');
  t.expectShape(caller, name, shape, '(..., dim)');
  if (inputs.some((i) => i.buffer === t.buffer)) {
    throw new InvalidArgumentError(`${caller}: ${name} must not share memory with an input`, name);
  }
}

function run(
  caller: string,
  x: Tensor,
  residualIn: Tensor | undefined,
  weight: Tensor,
  writeResidual: boolean,
  options: AddRmsNormOptions,
): { out: Tensor<'f32'>; residual: Tensor<'f32'> | undefined } {
  x.expectDType(caller, 'x', 'f32');
  if (x.shape.length < 1)
    throw new ShapeError(`${caller}: x must be (..., dim), got ${formatShape(x.shape)}`);
  const dim = x.shape[x.shape.length - 1]!;
  weight.expectDType(caller, 'weight', 'f32', 'f16', 'bf16');
  weight.expectShape(caller, 'weight', [dim], '(dim)');
  if (residualIn) {
    residualIn.expectDType(caller, 'residual', 'f32');
    residualIn.expectShape(caller, 'residual', x.shape, '(..., dim)');
  }
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0)) throw new InvalidArgumentError(`${caller}: eps must be >= 0, got ${eps}`, 'eps');
  const inputs = [x, weight, ...(residualIn ? [residualIn] : [])];
  if (options.out) checkOut(caller, 'out', options.out, x.shape, inputs);
  if (writeResidual && options.residualOut) {
    checkOut(caller, 'residualOut', options.residualOut, x.shape, inputs);
    if (options.out && options.out.buffer === options.residualOut.buffer) {
      throw new InvalidArgumentError(`${caller}: out and residualOut must not share memory`, 'residualOut');
    }
  }
  const ctx = x.ctx;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const weightBinding = wholeBinding(weight, caller, 'weight', budget).binding;
  const out =
    (options.out as Tensor<'f32'> | undefined) ?? Tensor.empty(ctx, x.shape, 'f32', `${caller}/out`);
  const residual = writeResidual
    ? ((options.residualOut as Tensor<'f32'> | undefined) ??
      Tensor.empty(ctx, x.shape, 'f32', `${caller}/residual`))
    : undefined;
  const rows = dim === 0 ? 0 : x.numel / dim;
  const pipeline = ctx.pipeline(
    `tensor/rmsnorm/${weight.dtype}`,
    () => Params.wgsl + readBindingWgsl(3, 'weight', weight.dtype) + reduce + source,
    { HAS_RESIDUAL_IN: residualIn ? 1 : 0, WRITE_RESIDUAL: residual ? 1 : 0 },
  );
  const perWindow = Math.min(itemsPerWindow(ctx, caller, 'row', dim * 4, budget), 65535 * 65535);
  for (let r0 = 0; r0 < rows; r0 += perWindow) {
    const rc = Math.min(perWindow, rows - r0);
    const xw = bindingWindow(x, r0 * dim, rc * dim);
    const ow = bindingWindow(out, r0 * dim, rc * dim);
    const riw = residualIn ? bindingWindow(residualIn, r0 * dim, rc * dim) : undefined;
    const row = residual ? bindingWindow(residual, r0 * dim, rc * dim) : undefined;
    ctx.dispatch({
      pipeline,
      params: Params.pack({
        rows: rc,
        dim,
        eps,
        x_off: xw.elemOffset,
        res_in_off: riw?.elemOffset ?? 0,
        out_off: ow.elemOffset,
        res_out_off: row?.elemOffset ?? 0,
      }),
      bindings: [
        xw.binding,
        riw?.binding ?? dummyBinding(ctx),
        weightBinding,
        ow.binding,
        row?.binding ?? dummyWritableBinding(ctx),
      ],
      workgroups: dispatch1d(rc, ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
  }
  return { out, residual };
}

/**
 * out = x * rsqrt(mean(x^2) + eps) * weight along the last dim.
 * x: (..., dim) f32; weight: (dim) f32/f16/bf16. Returns `options.out` or a new tensor.
 */
export function rmsNorm(x: Tensor, weight: Tensor, options: RmsNormOptions = {}): Tensor<'f32'> {
  return run('rmsNorm', x, undefined, weight, false, options).out;
}

/**
 * Fused residual add + RMSNorm (mamba's add-norm, residual in f32):
 * residual = x + residualIn (just x when residualIn is undefined, as in the first layer),
 * out = rmsNorm(residual) * weight.
 * x, residualIn: (..., dim) f32; weight: (dim) f32/f16/bf16. Returns both (caller owns them unless
 * passed in as `out`/`residualOut`).
 */
export function addRmsNorm(
  x: Tensor,
  residualIn: Tensor | undefined,
  weight: Tensor,
  options: AddRmsNormOptions = {},
): { out: Tensor<'f32'>; residual: Tensor<'f32'> } {
  const { out, residual } = run('addRmsNorm', x, residualIn, weight, true, options);
  return { out, residual: residual! };
}
