// Host code of matmul: out = x @ W^T (+ bias) (+ residual) with W stored (out, in) as in PyTorch
// checkpoints, f32 or packed f16/bf16. Small m (decode) takes the GEMV kernel, larger m (prefill)
// the tiled GEMM; W and the activations are split into binding-sized chunks when they exceed
// maxStorageBufferBindingSize (the 130m LM head, 50280 x 768 f32, is 154 MB).

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  dummyBinding,
  elementBytes,
  itemsPerWindow,
  wholeBinding,
} from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import epilogue from './epilogue.wgsl';
import gemmV1 from './gemm-v1.wgsl';
import gemvV1 from './gemv-v1.wgsl';
import { type FloatDType, matmulPrelude } from './matmul-wgsl.js';

/** Kernel versions, side by side; tests and the bench iterate this table. */
export const MATMUL_KERNELS = {
  'gemv-v1': 'per W row, 32 threads split K with vec4 loads; workgroup-memory reduction; m <= 16',
  'gemm-v1': '64x64 tiles in workgroup memory, 4x4 register blocks, K tiles of 16; m > 16',
} as const;
export type MatmulKernel = keyof typeof MATMUL_KERNELS;

/** Largest m (rows of x) that `auto` sends to the GEMV kernel. */
export const GEMV_MAX_M = 16;

/** Up to this many rows the GEMV is still used when the GEMM would launch too few workgroups. */
export const GEMV_NARROW_MAX_M = 64;

/** GEMM launches with fewer 64x64 tiles than this leave a large GPU mostly idle (132 SMs on an H200). */
export const GEMM_MIN_TILES = 132;

/**
 * The default kernel for an (m, k) @ (n, k)^T product: GEMV for small m; for m up to 64 also
 * when the GEMM's 64x64 tiles would give fewer than 256 workgroups (narrow n, e.g. x_proj's 80
 * or out_proj's 768 outputs at decode batch 64); and for any m when the GEMM would launch fewer
 * than GEMM_MIN_TILES tiles (x_proj's 80 outputs in a prefill: 64 tiles at m = 2048, each with a
 * long serial K loop, against thousands of GEMV workgroups).
 */
export function pickMatmulKernel(m: number, n: number): MatmulKernel {
  if (m <= GEMV_MAX_M) return 'gemv-v1';
  const tiles = Math.ceil(m / 64) * Math.ceil(n / 64);
  if (m <= GEMV_NARROW_MAX_M && tiles < 256) return 'gemv-v1';
  if (tiles < GEMM_MIN_TILES) return 'gemv-v1';
  return 'gemm-v1';
}

const Params = defineParams('Params', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  out_stride: 'u32',
  col0: 'u32',
  x_off: 'u32',
  w_off: 'u32',
  out_off: 'u32',
  res_off: 'u32',
  bias_off: 'u32',
});

export interface MatmulOptions extends ChunkingOptions {
  /** (out) added to every row; f32, f16 or bf16. */
  bias?: Tensor;
  /** (..., out) f32 added to the result (fused residual); must not be `out`. */
  residual?: Tensor;
  /** (..., out) f32 to write into instead of allocating (the caller keeps owning it). */
  out?: Tensor;
  /** @internal Force a kernel version (tests, bench); default picks by m. */
  kernel?: MatmulKernel;
}

const FLOAT: FloatDType[] = ['f32', 'f16', 'bf16'];

/** Rows of x per GEMV pass: the smallest power of two >= m, at most 8. */
function gemvRowsPerPass(m: number): number {
  let mb = 1;
  while (mb < Math.min(m, 8)) mb *= 2;
  return mb;
}

/**
 * out = x @ W^T (+ bias) (+ residual).
 *
 * x: (..., in) f32; W: (out, in) f32/f16/bf16; bias: (out); residual, out: (..., out) f32.
 * Leading dims of x are batch dims (flattened to m rows). Returns `options.out` when given, else a
 * new tensor the caller owns.
 */
export function matmul(x: Tensor, w: Tensor, options: MatmulOptions = {}): Tensor<'f32'> {
  const caller = 'matmul';
  x.expectDType(caller, 'x', 'f32');
  w.expectDType(caller, 'W', ...FLOAT);
  if (x.shape.length < 1) throw new ShapeError(`${caller}: x must be (..., in), got ${formatShape(x.shape)}`);
  const k = x.shape[x.shape.length - 1]!;
  w.expectShape(caller, 'W', [-1, k], '(out, in)');
  const n = w.shape[0]!;
  const m = x.numel / Math.max(k, 1);
  const outShape = [...x.shape.slice(0, -1), n];
  const { bias, residual } = options;
  if (bias) {
    bias.expectDType(caller, 'bias', ...FLOAT);
    bias.expectShape(caller, 'bias', [n], '(out)');
  }
  if (residual) {
    residual.expectDType(caller, 'residual', 'f32');
    residual.expectShape(caller, 'residual', outShape, '(..., out)');
  }
  const ctx = x.ctx;
  let out: Tensor<'f32'>;
  if (options.out) {
    options.out.expectDType(caller, 'out', 'f32');
    options.out.expectShape(caller, 'out', outShape, '(..., out)');
    for (const [name, t] of [
      ['x', x],
      ['W', w],
      ['residual', residual],
      ['bias', bias],
    ] as const) {
      if (t && t.buffer === options.out.buffer) {
        throw new InvalidArgumentError(`${caller}: out must not share memory with ${name}`, 'out');
      }
    }
    out = options.out as Tensor<'f32'>;
  } else {
    out = Tensor.empty(ctx, outShape, 'f32', 'matmul/out');
  }
  if (m === 0 || n === 0) return out;
  if (k === 0)
    throw new ShapeError(`${caller}: the inner dimension must be > 0, got x ${formatShape(x.shape)}`);

  const kernel: MatmulKernel = options.kernel ?? pickMatmulKernel(m, n);
  if (!(kernel in MATMUL_KERNELS)) {
    throw new InvalidArgumentError(`${caller}: unknown kernel ${String(kernel)}`, 'kernel');
  }
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const wRows = Math.min(itemsPerWindow(ctx, caller, 'row of W', k * elementBytes(w), budget), 65535 * 64);
  const xRows = Math.min(
    itemsPerWindow(ctx, caller, 'row of x or out', Math.max(k, n) * 4, budget),
    65535 * 8,
  );
  const biasBinding = bias ? wholeBinding(bias, caller, 'bias', budget).binding : dummyBinding(ctx);
  const vector = k % 4 === 0;
  const wDtype = w.dtype as FloatDType;
  const biasDtype = bias?.dtype ?? 'f32';
  const mb = kernel === 'gemv-v1' ? gemvRowsPerPass(m) : 0;
  const key = `tensor/matmul/${kernel}/${wDtype}/${biasDtype}/${vector ? 'vec4' : 'scalar'}${mb ? `/mb${mb}` : ''}`;
  const pipeline = ctx.pipeline(
    key,
    () =>
      Params.wgsl +
      (mb ? `const MB: u32 = ${mb}u;\n` : '') +
      matmulPrelude(wDtype, biasDtype, vector) +
      epilogue +
      (kernel === 'gemv-v1' ? gemvV1 : gemmV1),
    { HAS_BIAS: bias ? 1 : 0, HAS_RESIDUAL: residual ? 1 : 0 },
  );
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;

  for (let m0 = 0; m0 < m; m0 += xRows) {
    const mc = Math.min(xRows, m - m0);
    const xw = bindingWindow(x, m0 * k, mc * k);
    const ow = bindingWindow(out, m0 * n, mc * n);
    const rw = residual ? bindingWindow(residual, m0 * n, mc * n) : undefined;
    for (let n0 = 0; n0 < n; n0 += wRows) {
      const nc = Math.min(wRows, n - n0);
      const ww = bindingWindow(w, n0 * k, nc * k);
      const workgroups: [number, number, number] =
        kernel === 'gemv-v1'
          ? [...dispatch1d(workgroupCount(nc, 8), maxGroups), workgroupCount(mc, mb)]
          : [workgroupCount(nc, 64), workgroupCount(mc, 64), 1];
      ctx.dispatch({
        pipeline,
        params: Params.pack({
          m: mc,
          n: nc,
          k,
          out_stride: n,
          col0: n0,
          x_off: xw.elemOffset,
          w_off: ww.elemOffset,
          out_off: ow.elemOffset,
          res_off: rw?.elemOffset ?? 0,
          bias_off: n0,
        }),
        bindings: [xw.binding, ww.binding, biasBinding, rw?.binding ?? dummyBinding(ctx), ow.binding],
        workgroups,
        label: `matmul/${kernel}`,
      });
    }
  }
  return out;
}
