// The validated problem every matmul kernel version records: x and W resolved to 2-D strided
// matrices over their buffers (so a transposed or sliced operand is read in place), the
// optional epilogue operands, and the output. Also the binding windows over a range of a
// matrix's rows, which split operands larger than one binding.

import type { GpuContext } from '../../device/context.js';
import { LimitError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type BindingWindow, elementBytes, elementWindow, usableBytes } from '../binding-window.js';
import { contiguousOperand } from '../copy/contiguous.js';

/**
 * A (rows, k) matrix read from `tensor`'s buffer: element (r, j) is buffer element
 * `offset + r * rowStride + j * kStride`. For one row rowStride is 0; for k = 1 kStride is 1.
 */
export interface MatrixOperand {
  readonly tensor: Tensor;
  readonly rows: number;
  readonly rowStride: number;
  readonly kStride: number;
  readonly offset: number;
}

/** One matmul out = x @ W^T (+ bias) (+ residual), validated and with its layouts resolved. */
export interface MatmulProblem {
  /** Rows of x (its leading dims merged), columns of out, the inner dimension. */
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** (m, k) f32. */
  readonly x: MatrixOperand;
  /** (n, k) f32, f16, bf16, q8 or q4. */
  readonly w: MatrixOperand;
  /** (n), plain (contiguous from element 0). */
  readonly bias: Tensor | undefined;
  /** (m, n) f32, contiguous. */
  readonly residual: Tensor | undefined;
  /** (m, n) f32, contiguous. */
  readonly out: Tensor<'f32'>;
  /** Bytes one binding may span (the adapter's limit or a test override). */
  readonly budget: number;
}

/**
 * `t` (..., k) as a (rows, k) matrix: its leading dims merged into one row stride, or undefined
 * when they do not merge (e.g. a permuted 3-D view).
 */
export function matrixOf(t: Tensor): MatrixOperand | undefined {
  const rank = t.shape.length;
  const k = t.shape[rank - 1]!;
  let rowStride: number | undefined;
  let merged = 1;
  for (let i = rank - 2; i >= 0; i--) {
    const d = t.shape[i]!;
    if (d === 1) continue;
    if (rowStride === undefined) rowStride = t.strides[i]!;
    else if (t.strides[i] !== rowStride * merged) return undefined;
    merged *= d;
  }
  const rows = t.numel / Math.max(k, 1);
  return {
    tensor: t,
    rows,
    rowStride: rows === 1 ? 0 : rowStride!,
    kStride: k === 1 ? 1 : t.strides[rank - 1]!,
    offset: t.offset,
  };
}

/** A matrix whose tensor is plain (a contiguous copy, pushed onto `temporaries`, when it is not). */
export function plainMatrix(a: MatrixOperand, temporaries: Tensor[]): MatrixOperand {
  if (a.tensor.isPlain) return a;
  return matrixOf(contiguousOperand(a.tensor, temporaries))!;
}

/** The problem with x and W plain row-major (copies pushed onto `temporaries`). */
export function plainOperands(p: MatmulProblem, temporaries: Tensor[]): MatmulProblem {
  return { ...p, x: plainMatrix(p.x, temporaries), w: plainMatrix(p.w, temporaries) };
}

/** How the kernels read a matrix (codes of MATRIX_LAYOUTS, generated as LAYOUT_VEC4...). */
export type MatrixLayout = 'vec4' | 'kContiguous' | 'strided';

/** The kernels' layout codes (operands.wgsl): one source for the header and the host. */
export const MATRIX_LAYOUTS = { vec4: 0, kContiguous: 1, strided: 2 } as const satisfies Record<
  MatrixLayout,
  number
>;

/**
 * vec4 when every read of 4 K elements is one aligned vector load (stride 1 along K; K, the row
 * stride and the offset multiples of 4, so every window's element offset is too); kContiguous
 * with stride 1 along K; strided otherwise.
 */
export function matrixLayout(a: MatrixOperand, k: number): MatrixLayout {
  if (a.kStride !== 1) return 'strided';
  return k % 4 === 0 && a.rowStride % 4 === 0 && a.offset % 4 === 0 ? 'vec4' : 'kContiguous';
}

/** Elements of `a` one row spans in its buffer (a transposed operand's row spans (k - 1) * rows + 1). */
function rowSpan(a: MatrixOperand, k: number): number {
  return (k - 1) * a.kStride + 1;
}

/**
 * Whether one row of x and of W each fit a binding window, so the rows can be split into
 * windows in place. A strided operand whose rows span more (a large transposed matrix under a
 * small budget) is read through its contiguous copy instead.
 */
export function rowsFitWindows(p: MatmulProblem): boolean {
  const ctx = p.out.ctx;
  const fits = (a: MatrixOperand) =>
    rowSpan(a, p.k) * elementBytes(a.tensor) <= usableBytes(ctx, p.budget, a.tensor.dtype);
  return fits(p.x) && fits(p.w);
}

/**
 * How many rows of `a` one binding window spans under `budget` (at most `cap`).
 * @throws LimitError when not even one row fits.
 */
export function rowsPerWindow(
  ctx: GpuContext,
  caller: string,
  what: string,
  a: MatrixOperand,
  k: number,
  budget: number,
  cap: number,
): number {
  const elements = Math.floor(usableBytes(ctx, budget, a.tensor.dtype) / elementBytes(a.tensor));
  const span = rowSpan(a, k);
  if (span > elements) {
    throw new LimitError(
      `${caller}: one row of ${what} spans ${span * elementBytes(a.tensor)} bytes, more than a binding of ${budget} bytes (maxStorageBufferBindingSize ${ctx.limits.maxStorageBufferBindingSize})`,
    );
  }
  if (a.rowStride === 0) return cap;
  return Math.min(cap, Math.floor((elements - span) / a.rowStride) + 1);
}

/** A binding over rows [r0, r0 + count) of `a`; `elemOffset` is element (r0, 0) inside it. */
export function rowsWindow(a: MatrixOperand, k: number, r0: number, count: number): BindingWindow {
  const first = a.offset + r0 * a.rowStride;
  const last = first + (count - 1) * a.rowStride + (k - 1) * a.kStride;
  return elementWindow(a.tensor, first, last - first + 1);
}
