import { unary } from '../ops/unary/unary.js';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { DisposedError, ShapeError } from '../errors.js';
import { roundThrough } from './dtype.js';
import { Tensor, disposeAll, zeros } from './tensor.js';

describe('Tensor', () => {
  it('round-trips every dtype, packed ones with odd lengths', async () => {
    const ctx = await testContext();
    for (const n of [1, 3, 7, 1001]) {
      const values = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.37);
      using a = Tensor.fromArray(ctx, values, [n], 'f32');
      expect(await a.read()).toEqual(values);
      const ints = Int32Array.from({ length: n }, (_, i) => i * 3 - 7);
      using b = Tensor.fromArray(ctx, ints, [n], 'i32');
      expect(await b.read()).toEqual(ints);
      const uints = Uint32Array.from({ length: n }, (_, i) => 0xffffffff - i);
      using c = Tensor.fromArray(ctx, uints, [n], 'u32');
      expect(await c.read()).toEqual(uints);
      for (const dtype of ['f16', 'bf16'] as const) {
        using h = Tensor.fromArray(ctx, values, [n], dtype);
        expect(h.byteLength).toBe(Math.ceil(n / 2) * 4);
        expect(await h.read()).toEqual(roundThrough(values, dtype));
      }
    }
  });

  it('takes raw 16-bit patterns from a Uint16Array', async () => {
    const ctx = await testContext();
    using h = Tensor.fromArray(ctx, new Uint16Array([0x3c00, 0xc000, 0x7c00]), [3], 'f16');
    expect(Array.from(await h.read())).toEqual([1, -2, Number.POSITIVE_INFINITY]);
  });

  it('reshape shares memory and keeps it alive until both are disposed', async () => {
    const ctx = await testContext();
    const a = Tensor.fromArray(ctx, [1, 2, 3, 4, 5, 6], [2, 3], 'f32');
    const b = a.reshape([3, 2]);
    expect(b.shape).toEqual([3, 2]);
    expect(b.buffer).toBe(a.buffer);
    b.write([6, 5, 4, 3, 2, 1]);
    expect(Array.from(await a.read())).toEqual([6, 5, 4, 3, 2, 1]);
    const live = ctx.stats().liveBuffers;
    a.dispose();
    expect(ctx.stats().liveBuffers).toBe(live);
    expect(Array.from(await b.read())).toEqual([6, 5, 4, 3, 2, 1]);
    b.dispose();
    expect(ctx.stats().liveBuffers).toBe(live - 1);
    expect(() => a.reshape([6])).toThrow(DisposedError);
    using c = Tensor.empty(ctx, [6], 'f32');
    expect(() => c.reshape([4])).toThrow(ShapeError);
  });

  it('throws DisposedError on use after dispose; dispose is idempotent', async () => {
    const ctx = await testContext();
    const t = Tensor.fromArray(ctx, [1, 2], [2], 'f32', 'victim');
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.buffer).toThrow(DisposedError);
    expect(() => t.write([1, 2])).toThrow(/Tensor.write: tensor 'victim' was disposed/);
    await expect(t.read()).rejects.toThrow(DisposedError);
  });

  it('`using` releases at the end of the block; zeros are zero; the pool stays flat', async () => {
    const ctx = await testContext();
    const before = ctx.stats().liveBuffers;
    {
      using z = zeros(ctx, [5, 3], 'f32');
      expect(Array.from(await z.read())).toEqual(new Array(15).fill(0));
      using zb = zeros(ctx, [3], 'bf16');
      expect(Array.from(await zb.read())).toEqual([0, 0, 0]);
      expect(ctx.stats().liveBuffers).toBe(before + 2);
    }
    expect(ctx.stats().liveBuffers).toBe(before);
    const many = Array.from({ length: 10 }, () => Tensor.empty(ctx, [100], 'f32'));
    disposeAll(...many, undefined);
    expect(ctx.stats().liveBuffers).toBe(before);
  });

  it('validates shapes and lengths', async () => {
    const ctx = await testContext();
    expect(() => Tensor.fromArray(ctx, [1, 2, 3], [2, 2], 'f32')).toThrow(/needs 4 values, got 3/);
    expect(() => Tensor.empty(ctx, [2, -1], 'f32')).toThrow(ShapeError);
  });
});

describe('disposing while work is recorded', () => {
  it('a large (exact-size) buffer disposed before the submit stays valid for that submit', async () => {
    const ctx = await testContext();
    const n = (80 << 20) / 4; // >= 64 MiB: an exact buffer, destroyed (not pooled) on dispose
    const src = Tensor.fromArray(ctx, new Float32Array(n).fill(2), [n], 'f32');
    const big = unary('exp', src); // recorded, not submitted yet
    big.dispose();
    src.dispose();
    await ctx.sync('test');
    await ctx.checkErrors();
    const before = ctx.stats().allocatedBytes;
    const again = Tensor.fromArray(ctx, [1, 2], [2], 'f32');
    again.dispose();
    await ctx.sync('test');
    expect(ctx.stats().allocatedBytes).toBeLessThanOrEqual(before);
  });
});
