import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../device/context.js';
import { ShapeError } from '../errors.js';
import {
  checkView,
  coalesceLayout,
  contiguousStrides,
  gatherLayout,
  isContiguousLayout,
  layoutExtent,
  sliceLayout,
  transposeLayout,
} from './layout.js';
import { Tensor } from './tensor.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('layout', () => {
  it('row-major strides and contiguity', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(isContiguousLayout({ shape: [2, 3], strides: [3, 1], offset: 5 })).toBe(true);
    expect(isContiguousLayout({ shape: [2, 3], strides: [1, 2], offset: 0 })).toBe(false);
    expect(isContiguousLayout({ shape: [1, 3], strides: [99, 1], offset: 0 })).toBe(true);
  });

  it('transpose then gather equals the host transpose', () => {
    const t = transposeLayout('t', { shape: [2, 3], strides: [3, 1], offset: 0 }, 0, 1);
    expect(t).toEqual({ shape: [3, 2], strides: [1, 3], offset: 0 });
    expect(Array.from(gatherLayout(iota(6), t))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('slice moves the offset and keeps strides', () => {
    const s = sliceLayout('s', { shape: [4, 5], strides: [5, 1], offset: 0 }, 1, 2, 4);
    expect(s).toEqual({ shape: [4, 2], strides: [5, 1], offset: 2 });
    expect(Array.from(gatherLayout(iota(20), s))).toEqual([2, 3, 7, 8, 12, 13, 17, 18]);
    expect(layoutExtent(s)).toBe(19);
    expect(() => sliceLayout('s', s, 0, 3, 5)).toThrow(/range \[3, 5\)/);
  });

  it('checkView refuses views past the base and bad strides', () => {
    expect(() => checkView('v', { shape: [2, 3], strides: [3, 1], offset: 1 }, 6)).toThrow(ShapeError);
    expect(() => checkView('v', { shape: [2, 3], strides: [3], offset: 0 }, 6)).toThrow(/strides must be 2/);
    expect(() => checkView('v', { shape: [2, 3], strides: [3, 1], offset: 0 }, 6)).not.toThrow();
  });

  it('messages show NaN and Infinity as such, not as JSON null (Tensor.empty too)', () => {
    expect(() => checkView('v', { shape: [2, Number.NaN], strides: [3, 1], offset: 0 }, 6)).toThrow(
      'v: shape must be non-negative integers, got [2, NaN]',
    );
    expect(() =>
      checkView('v', { shape: [2, 3], strides: [Number.POSITIVE_INFINITY, 1], offset: 0 }, 6),
    ).toThrow(/got \[Infinity, 1\]$/);
    const noGpu = new Proxy({} as GpuContext, {
      get: (_target, key) => {
        throw new Error(`GPU touched: ${String(key)}`);
      },
    });
    expect(() => Tensor.empty(noGpu, [Number.NaN, -Infinity], 'f32')).toThrow(
      'Tensor.empty: shape must be an array of non-negative integers, got [NaN, -Infinity]',
    );
  });

  it('coalesce merges dims that are contiguous with each other', () => {
    expect(coalesceLayout({ shape: [2, 3, 4], strides: [24, 4, 1], offset: 0 })).toEqual({
      shape: [2, 12],
      strides: [24, 1],
      offset: 0,
    });
    expect(coalesceLayout({ shape: [1, 1], strides: [5, 5], offset: 3 })).toEqual({
      shape: [1],
      strides: [1],
      offset: 3,
    });
    const l = { shape: [2, 1, 3, 4], strides: [100, 7, 4, 1], offset: 2 };
    expect(Array.from(gatherLayout(iota(300), coalesceLayout(l)))).toEqual(
      Array.from(gatherLayout(iota(300), l)),
    );
  });
});
