// Host code of RMSNorm with the fused residual add of mamba's `layer_norm_fn(..., prenorm=True,
// residual_in_fp32=True)`: residualOut = x + residualIn, out = rmsnorm(residualOut) * weight.
// Rows are split into binding-sized chunks when the activations exceed one binding; strided
// inputs are read through their contiguous copies.

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { REDUCE } from '../../shader/library.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  itemsPerWindow,
  wholeBinding,
} from '../binding-window.js';
import { contiguousOperand } from '../copy/contiguous.js';
import { dispatch1d } from '../launch.js';
import { optionalBinding, windowOperand } from '../operand.js';
import { checkOutput, requireTensor } from '../validate.js';
import body from './rmsnorm.wgsl';

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

function run(
  caller: string,
  x: Tensor,
  residualIn: Tensor | undefined,
  weight: Tensor,
  writeResidual: boolean,
  options: AddRmsNormOptions,
): { out: Tensor<'f32'>; residual: Tensor<'f32'> | undefined } {
  requireTensor(caller, 'x', x);
  requireTensor(caller, 'weight', weight);
  if (residualIn !== undefined) requireTensor(caller, 'residual', residualIn);
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
  const inputs = { x, weight, residual: residualIn };
  if (options.out) checkOutput(caller, 'out', options.out, x.shape, '(..., dim)', inputs);
  if (writeResidual && options.residualOut) {
    checkOutput(caller, 'residualOut', options.residualOut, x.shape, '(..., dim)', {
      ...inputs,
      out: options.out,
    });
  }
  const ctx = x.ctx;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const temporaries: Tensor[] = [];
  const xRead = windowOperand(x, temporaries);
  const residualRead = residualIn && windowOperand(residualIn, temporaries);
  const weightBinding = wholeBinding(
    contiguousOperand(weight, temporaries),
    caller,
    'weight',
    budget,
  ).binding;
  const out =
    (options.out as Tensor<'f32'> | undefined) ?? Tensor.empty(ctx, x.shape, 'f32', `${caller}/out`);
  const residual = writeResidual
    ? ((options.residualOut as Tensor<'f32'> | undefined) ??
      Tensor.empty(ctx, x.shape, 'f32', `${caller}/residual`))
    : undefined;
  const rows = dim === 0 ? 0 : x.numel / dim;
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/rmsnorm',
    body,
    params: Params,
    constants: {
      HAS_RESIDUAL_IN: residualIn !== undefined,
      WRITE_RESIDUAL: residual !== undefined,
    },
    libraries: [REDUCE],
    storage: [
      { name: 'x' },
      { name: 'residual_in' },
      { name: 'weight', type: weight.dtype },
      { name: 'out', access: 'read_write' },
      { name: 'residual_out', access: 'read_write' },
    ],
  });
  const perWindow = Math.min(itemsPerWindow(ctx, caller, 'row', dim * 4, budget), 65535 * 65535);
  for (let r0 = 0; r0 < rows; r0 += perWindow) {
    const rc = Math.min(perWindow, rows - r0);
    const xw = bindingWindow(xRead, r0 * dim, rc * dim);
    const ow = bindingWindow(out, r0 * dim, rc * dim);
    const riw = residualRead && bindingWindow(residualRead, r0 * dim, rc * dim);
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
        optionalBinding(ctx, riw),
        weightBinding,
        ow.binding,
        optionalBinding(ctx, row, 'read_write'),
      ],
      workgroups: dispatch1d(rc, ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
  }
  disposeAll(...temporaries);
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
