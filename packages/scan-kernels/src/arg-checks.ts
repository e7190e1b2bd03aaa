// Boundary checks that the scan-kernels ops share (selective scan, state update, causal conv1d and
// its decode step, the backward kernels), with typed errors that start with the caller's name and
// say what was expected and what came.

import { InvalidArgumentError, LimitError, ShapeError, Tensor, formatShape } from '@mamba-webgpu/tensor';

/** Largest dState the kernels accept (the official kernel's limit as well). */
export const MAX_D_STATE = 256;

/** Kernel widths accepted (the official causal_conv1d supports 2..4; the math holds to 8). */
export const MIN_CONV_WIDTH = 2;
export const MAX_CONV_WIDTH = 8;

/** Throws InvalidArgumentError unless `t` is a Tensor. */
export function requireTensor(caller: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor, got ${String(t)}`, name);
  }
}

/** Requires an f32 Tensor of shape `dims` (-1: any size), `legend` naming the dims in the message. */
export function expectF32(
  caller: string,
  name: string,
  t: unknown,
  dims: readonly number[],
  legend: string,
): void {
  requireTensor(caller, name, t);
  t.expectDType(caller, name, 'f32');
  t.expectShape(caller, name, dims, legend);
}

/** Throws LimitError unless dState is in 1..MAX_D_STATE. */
export function checkDState(caller: string, dState: number): void {
  if (dState < 1 || dState > MAX_D_STATE) {
    throw new LimitError(`${caller}: dState must be in 1..${MAX_D_STATE}, got ${dState}`);
  }
}

/**
 * Checks a conv weight `name`: f32 (dInner, width), width in MIN_CONV_WIDTH..MAX_CONV_WIDTH
 * (`widthName` names it in the message); returns the width.
 */
export function checkConvWeight(
  caller: string,
  name: string,
  weight: Tensor,
  dInner: number,
  widthName = 'width',
): number {
  weight.expectDType(caller, name, 'f32');
  if (weight.shape.length !== 2 || weight.shape[0] !== dInner) {
    throw new ShapeError(
      `${caller}: ${name} must be (dInner, width) = (${dInner}, *), got ${formatShape(weight.shape)}`,
    );
  }
  const width = weight.shape[1]!;
  if (width < MIN_CONV_WIDTH || width > MAX_CONV_WIDTH) {
    throw new LimitError(
      `${caller}: ${widthName} must be in ${MIN_CONV_WIDTH}..${MAX_CONV_WIDTH}, got ${width}`,
    );
  }
  return width;
}
