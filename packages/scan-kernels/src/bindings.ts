// Host helpers the scan-kernels ops share to bind operands and size their grids: optional plain
// operands (the dummy binding when absent), strided views with their index Params, 1D grids.

import type { Binding, GpuContext, Tensor } from '@mamba-webgpu/tensor';
import {
  bindingBudget,
  contiguousOperand,
  dispatch1d,
  dummyBinding,
  viewParamValues,
  viewWindow,
  wholeBinding,
  workgroupCount,
} from '@mamba-webgpu/tensor/internal';

/**
 * The binding of an optional operand bound whole: the tensor's (made contiguous first, the copy
 * pushed onto `temporaries`, when `temporaries` is given), or the context's dummy when absent.
 */
export function plainBindings(
  ctx: GpuContext,
  caller: string,
  temporaries?: Tensor[],
): (t: Tensor | undefined, name: string) => Binding {
  const budget = bindingBudget(ctx);
  return (t, name) => {
    if (!t) return dummyBinding(ctx);
    return wholeBinding(temporaries ? contiguousOperand(t, temporaries) : t, caller, name, budget).binding;
  };
}

/** An operand bound through its view: the binding and its index Params. */
export interface OperandView {
  binding: Binding;
  params: Record<string, number>;
}

/**
 * Strides with those of size-1 dims set to 0: index helpers stay exact and alignment checks
 * ignore strides that never multiply a non-zero index.
 */
export function effectiveStrides(t: Tensor): number[] {
  return t.shape.map((d, i) => (d === 1 ? 0 : t.strides[i]!));
}

/**
 * The binding over the view `t` (of `rank` dims) and its index Params `<name>_offset`,
 * `<name>_stride0..` (see `viewParams`); an absent optional operand binds the context's dummy
 * with zero strides.
 */
export function viewBinding(
  ctx: GpuContext,
  name: string,
  t: Tensor | undefined,
  caller: string,
  rank: number,
): OperandView {
  if (!t) {
    const strides = new Array<number>(rank).fill(0);
    return { binding: dummyBinding(ctx), params: viewParamValues(name, { strides }, 0) };
  }
  const window = viewWindow(t, caller, name, bindingBudget(ctx));
  return {
    binding: window.binding,
    params: viewParamValues(name, { strides: effectiveStrides(t) }, window.elemOffset),
  };
}

/** The dispatch1d grid of `count` invocations in workgroups of `workgroup`. */
export function grid1d(ctx: GpuContext, count: number, workgroup: number): [number, number] {
  return dispatch1d(workgroupCount(count, workgroup), ctx.limits.maxComputeWorkgroupsPerDimension);
}
