// Strided layouts: how a tensor's (shape, strides, offset) map an index to an element of its
// buffer. Pure functions, shared by Tensor views, the WGSL index generator and host gathers.
// Element (i0, i1, ...) of a layout is at `offset + i0*strides[0] + i1*strides[1] + ...`.

import { describeValue } from '../describe-value.js';
import { formatShape, ShapeError } from '../errors.js';

/** A strided layout in elements (not bytes). Strides are non-negative (0 broadcasts). */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether the layout is row-major contiguous (offset aside); size-1 dims may have any stride. */
export function isContiguousLayout(layout: Layout): boolean {
  let expected = 1;
  for (let i = layout.shape.length - 1; i >= 0; i--) {
    const d = layout.shape[i]!;
    if (d !== 1 && layout.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** The largest element index the layout touches plus one (0 for an empty layout). */
export function layoutExtent(layout: Layout): number {
  let last = layout.offset;
  for (let i = 0; i < layout.shape.length; i++) {
    const d = layout.shape[i]!;
    if (d === 0) return 0;
    last += (d - 1) * layout.strides[i]!;
  }
  return last + 1;
}

/**
 * Checks a view of a base holding `baseElements` elements: integer shape, strides and offset, and
 * every element inside the base. Throws ShapeError starting with `caller`.
 */
export function checkView(caller: string, view: Layout, baseElements: number): void {
  const ints = (xs: readonly number[]) => xs.every((d) => Number.isInteger(d) && d >= 0);
  if (!Array.isArray(view.shape) || !ints(view.shape)) {
    throw new ShapeError(`${caller}: shape must be non-negative integers, got ${describeValue(view.shape)}`);
  }
  if (!Array.isArray(view.strides) || view.strides.length !== view.shape.length || !ints(view.strides)) {
    throw new ShapeError(
      `${caller}: strides must be ${view.shape.length} non-negative integers (one per dim of ${formatShape(view.shape)}), got ${describeValue(view.strides)}`,
    );
  }
  if (!Number.isInteger(view.offset) || view.offset < 0) {
    throw new ShapeError(`${caller}: offset must be a non-negative integer, got ${view.offset}`);
  }
  const extent = layoutExtent(view);
  if (extent > baseElements) {
    throw new ShapeError(
      `${caller}: view ${formatShape(view.shape)} strides ${formatShape(view.strides)} offset ${view.offset} reaches element ${extent - 1}, past the base's ${baseElements} elements`,
    );
  }
}

/** The layout with dims `a` and `b` swapped. */
export function transposeLayout(caller: string, layout: Layout, a: number, b: number): Layout {
  const rank = layout.shape.length;
  const norm = (d: number) => (d < 0 ? d + rank : d);
  const [i, j] = [norm(a), norm(b)];
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= rank || j >= rank) {
    throw new ShapeError(
      `${caller}: dims must be in [-${rank}, ${rank}) for ${formatShape(layout.shape)}, got ${a} and ${b}`,
    );
  }
  const shape = [...layout.shape];
  const strides = [...layout.strides];
  [shape[i], shape[j]] = [shape[j]!, shape[i]!];
  [strides[i], strides[j]] = [strides[j]!, strides[i]!];
  return { shape, strides, offset: layout.offset };
}

/** The layout restricted to [start, end) along `dim`. */
export function sliceLayout(caller: string, layout: Layout, dim: number, start: number, end: number): Layout {
  const rank = layout.shape.length;
  const d = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(d) || d < 0 || d >= rank) {
    throw new ShapeError(
      `${caller}: dim must be in [-${rank}, ${rank}) for ${formatShape(layout.shape)}, got ${dim}`,
    );
  }
  const size = layout.shape[d]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > size) {
    throw new ShapeError(
      `${caller}: range [${start}, ${end}) must lie in [0, ${size}] along dim ${d} of ${formatShape(layout.shape)}`,
    );
  }
  const shape = [...layout.shape];
  shape[d] = end - start;
  return { shape, strides: layout.strides, offset: layout.offset + start * layout.strides[d]! };
}

/**
 * Copies the elements of `layout` out of `source` (the base's elements) into a new row-major
 * array of the same constructor: the host side of `contiguous()`, used by `read()` of views.
 */
export function gatherLayout<T extends Float32Array | Int32Array | Uint32Array>(
  source: T,
  layout: Layout,
): T {
  const n = layout.shape.reduce((a, b) => a * b, 1);
  const out = new (source.constructor as new (n: number) => T)(n);
  const rank = layout.shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = layout.offset;
  for (let i = 0; i < n; i++) {
    out[i] = source[at]!;
    // Odometer increment over the dims, last fastest.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      at += layout.strides[k]!;
      if (index[k]! < layout.shape[k]!) break;
      at -= index[k]! * layout.strides[k]!;
      index[k] = 0;
    }
  }
  return out;
}

/**
 * The same elements in as few dims as possible: size-1 dims dropped and neighbours merged where
 * `strides[i] == strides[i+1] * shape[i+1]` (row-major order kept). Rank 0 becomes `[1]`.
 */
export function coalesceLayout(layout: Layout): Layout {
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < layout.shape.length; i++) {
    const d = layout.shape[i]!;
    const s = layout.strides[i]!;
    if (d === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && strides[last] === s * d) {
      shape[last]! *= d;
      strides[last] = s;
    } else {
      shape.push(d);
      strides.push(s);
    }
  }
  if (shape.length === 0) return { shape: [1], strides: [1], offset: layout.offset };
  return { shape, strides, offset: layout.offset };
}
