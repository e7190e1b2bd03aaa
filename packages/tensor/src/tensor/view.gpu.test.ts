import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { DTypeError, LayoutError, ShapeError } from '../errors.js';
import { contiguous } from '../ops/copy/contiguous.js';
import { gatherLayout } from './layout.js';
import { Tensor } from './tensor.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);

describe('Tensor views', () => {
  it('transpose, slice and view read what the host gather reads', async () => {
    const ctx = await testContext();
    const data = iota(2 * 3 * 5);
    using base = Tensor.fromArray(ctx, data, [2, 3, 5], 'f32');
    using t = base.transpose(1, 2);
    expect(t.shape).toEqual([2, 5, 3]);
    expect(t.strides).toEqual([15, 1, 5]);
    expect(t.isContiguous).toBe(false);
    expect(Array.from(await t.read())).toEqual(Array.from(gatherLayout(data, t)));
    using s = base.slice(2, 1, 4);
    expect(Array.from(await s.read())).toEqual(Array.from(gatherLayout(data, s)));
    using v = base.view({ shape: [3, 2], strides: [1, 7], offset: 4 });
    expect(Array.from(await v.read())).toEqual([4, 11, 5, 12, 6, 13].map((i) => data[i]!));
  });

  it('contiguous() copies any view, on the GPU, for 4-byte dtypes', async () => {
    const ctx = await testContext();
    for (const [shape, order] of [
      [
        [3, 4, 5],
        [2, 0, 1],
      ],
      [
        [2, 3, 4, 6],
        [3, 1, 0, 2],
      ],
      [
        [7, 1, 9],
        [2, 1, 0],
      ],
    ] as const) {
      const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const data = Int32Array.from({ length: n }, (_, i) => i * 7 - 11);
      using base = Tensor.fromArray(ctx, data, shape, 'i32');
      // A permutation as a view, then a slice along its first dim.
      const strides = [...base.strides];
      using perm = base.view({ shape: order.map((d) => shape[d]!), strides: order.map((d) => strides[d]!) });
      using sliced = perm.slice(0, 1, perm.shape[0]!);
      using copy = contiguous(sliced);
      expect(copy.isPlain).toBe(true);
      expect(Array.from(await copy.read())).toEqual(Array.from(gatherLayout(data, sliced)));
    }
    const data = iota(40);
    using rows = Tensor.fromArray(ctx, data, [8, 5], 'f32');
    using tail = rows.slice(0, 3, 8); // contiguous with an offset: copyBufferToBuffer
    expect(tail.isContiguous).toBe(true);
    using copy = contiguous(tail);
    expect(Array.from(await copy.read())).toEqual(Array.from(data.subarray(15)));
  });

  it('a view keeps the buffer alive after its base is disposed (refcounted)', async () => {
    const ctx = await testContext();
    const before = ctx.stats().liveBuffers;
    const base = Tensor.fromArray(ctx, iota(12), [3, 4], 'f32');
    const t = base.transpose(0, 1);
    base.dispose();
    expect(ctx.stats().liveBuffers).toBe(before + 1);
    expect(Array.from(await t.read())).toEqual(Array.from(gatherLayout(iota(12), t)));
    t.dispose();
    expect(ctx.stats().liveBuffers).toBe(before);
    await expect(t.read()).rejects.toThrow(/disposed/);
  });

  it('kernels that need contiguity get a LayoutError, not wrong data', async () => {
    const ctx = await testContext();
    using base = Tensor.fromArray(ctx, iota(12), [3, 4], 'f32');
    using t = base.transpose(0, 1);
    expect(() => t.buffer).toThrow(LayoutError);
    expect(() => t.reshape([12])).toThrow(LayoutError);
    expect(() => t.write(iota(12))).toThrow(LayoutError);
    expect(t.storageBuffer).toBe(base.buffer);
    expect(() => base.view({ shape: [4, 4], strides: [4, 1] })).toThrow(ShapeError);
    using h = Tensor.fromArray(ctx, iota(12), [3, 4], 'bf16');
    expect(() => h.transpose(0, 1)).toThrow(DTypeError);
    using hRows = h.slice(0, 1, 3);
    expect(Array.from(await hRows.read())).toEqual(Array.from((await h.read()).subarray(4)));
  });
});
