// Host code of matmul: out = x @ W^T (+ bias) (+ residual) with W stored (out, in) as in PyTorch
// checkpoints, f32 or packed f16/bf16. x and W may be strided views (a transposed weight for
// dX = dY @ W, transposed activations for dW = dY^T @ X): the chosen kernel version reads them in
// place when its `supports()` allows, else they are copied once through contiguousOperand.
// Operands larger than maxStorageBufferBindingSize are split into binding-sized chunks (the 130m
// LM head, 50280 x 768 f32, is 154 MB).

import { ShapeError, formatShape } from '../../errors.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import { type ChunkingOptions, bindingBudget } from '../binding-window.js';
import { contiguousOperand } from '../copy/contiguous.js';
import { kernelNamed } from '../kernel-version.js';
import { windowOperand } from '../operand.js';
import { checkOutput, requireTensor } from '../validate.js';
import { MATMUL_KERNELS, type MatmulKernel } from './matmul-kernels.js';
import { pickMatmulKernel } from './matmul-pick.js';
import { type MatmulProblem, matrixOf, plainOperands } from './matmul-problem.js';

export { MATMUL_KERNELS, type MatmulKernel, type MatmulKernelVersion } from './matmul-kernels.js';
export type { MatmulProblem, MatrixOperand } from './matmul-problem.js';
export {
  GEMV_MAX_M,
  GEMV_NARROW_MAX_M,
  GEMV_NARROW_MAX_N,
  SPLIT_K_MIN_SLICE,
  SPLIT_K_TARGET_GROUPS,
  pickMatmulKernel,
  splitK,
} from './matmul-pick.js';

export interface MatmulOptions extends ChunkingOptions {
  /** (out) added to every row; f32, f16 or bf16. */
  bias?: Tensor;
  /** (..., out) f32 added to the result (fused residual); must not be `out`. */
  residual?: Tensor;
  /** (..., out) f32, contiguous, to write into instead of allocating (the caller keeps owning it). */
  out?: Tensor;
  /** @internal Force a kernel version (tests, bench); default picks by shape (`pickMatmulKernel`). */
  kernel?: MatmulKernel;
}

const FLOAT = ['f32', 'f16', 'bf16'] as const;
/** W may also be block-quantized (q8/q4, read-only weights). */
const WEIGHT = [...FLOAT, 'q8', 'q4'] as const;

/** Checks the operands; returns (m, n, k) and the output shape. */
function checkOperands(caller: string, x: Tensor, w: Tensor, options: MatmulOptions) {
  requireTensor(caller, 'x', x);
  requireTensor(caller, 'W', w);
  x.expectDType(caller, 'x', 'f32');
  w.expectDType(caller, 'W', ...WEIGHT);
  if (x.shape.length < 1) throw new ShapeError(`${caller}: x must be (..., in), got ${formatShape(x.shape)}`);
  const k = x.shape[x.shape.length - 1]!;
  w.expectShape(caller, 'W', [-1, k], '(out, in)');
  const n = w.shape[0]!;
  const m = x.numel / Math.max(k, 1);
  const outShape = [...x.shape.slice(0, -1), n];
  const { bias, residual } = options;
  if (bias !== undefined) {
    requireTensor(caller, 'bias', bias);
    bias.expectDType(caller, 'bias', ...FLOAT);
    bias.expectShape(caller, 'bias', [n], '(out)');
  }
  if (residual !== undefined) {
    requireTensor(caller, 'residual', residual);
    residual.expectDType(caller, 'residual', 'f32');
    residual.expectShape(caller, 'residual', outShape, '(..., out)');
  }
  if (options.out !== undefined) {
    checkOutput(caller, 'out', options.out, outShape, '(..., out)', { x, W: w, residual, bias });
  }
  return { m, n, k, outShape };
}

/**
 * out = x @ W^T (+ bias) (+ residual).
 *
 * x: (..., in) f32; W: (out, in) f32/f16/bf16; bias: (out); residual, out: (..., out) f32.
 * Leading dims of x are batch dims (flattened to m rows). x, W, bias and residual may be strided
 * views (`x.transpose(0, 1)`, `w.slice(0, a, b)`...): a kernel version that reads strides takes
 * them in place, the others get contiguous copies. Returns `options.out` when given, else a new
 * tensor the caller owns.
 */
export function matmul(x: Tensor, w: Tensor, options: MatmulOptions = {}): Tensor<'f32'> {
  const caller = 'matmul';
  const { m, n, k, outShape } = checkOperands(caller, x, w, options);
  const ctx = x.ctx;
  const out = (options.out as Tensor<'f32'> | undefined) ?? Tensor.empty(ctx, outShape, 'f32', 'matmul/out');
  if (m === 0 || n === 0) return out;
  const temporaries: Tensor[] = [];
  try {
    if (k === 0)
      throw new ShapeError(`${caller}: the inner dimension must be > 0, got x ${formatShape(x.shape)}`);
    const version = kernelNamed(caller, MATMUL_KERNELS, options.kernel ?? pickMatmulKernel(m, n, k));
    let problem: MatmulProblem = {
      m,
      n,
      k,
      // Leading dims of x that do not merge into one row stride: no version reads those.
      x: matrixOf(x) ?? matrixOf(contiguousOperand(x, temporaries))!,
      w: matrixOf(w)!,
      bias: options.bias && contiguousOperand(options.bias, temporaries),
      residual: options.residual && windowOperand(options.residual, temporaries),
      out,
      budget: bindingBudget(ctx, options.maxBindingBytes),
    };
    if (!version.supports(problem)) problem = plainOperands(problem, temporaries);
    version.record(problem);
  } catch (error) {
    if (out !== options.out) out.dispose();
    throw error;
  } finally {
    disposeAll(...temporaries);
  }
  return out;
}
