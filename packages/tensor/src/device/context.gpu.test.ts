import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { DisposedError, GpuValidationError } from '../errors.js';
import { copyVec4 } from '../ops/copy/copy.js';
import { Tensor } from '../tensor/tensor.js';
import { createGpuContext } from './context.js';

describe('GpuContext', () => {
  it('describes its adapter and limits', async () => {
    const ctx = await testContext();
    expect(ctx.describe()).toMatch(/features:/);
    expect(ctx.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('checkErrors surfaces an invalid dispatch as GpuValidationError', async () => {
    const ctx = await testContext();
    using src = Tensor.empty(ctx, [64], 'f32');
    // A binding range past the end of its buffer: invalid bind group.
    ctx.dispatch({
      pipeline: ctx.pipeline(
        'test/copy-invalid',
        `
        @group(0) @binding(0) var<storage, read_write> data: array<f32>;
        @compute @workgroup_size(1) fn main() { data[0] = 1.0; }`,
      ),
      bindings: [{ buffer: src.buffer, offset: 0, size: src.buffer.size + 256 }],
      workgroups: [1],
      label: 'invalid',
    });
    const error = await ctx.sync('after-invalid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as GpuValidationError).message).toMatch(
      /^after-invalid: the GPU reported a validation error/,
    );
    await ctx.checkErrors(); // cleared
  });

  it('withErrorScope names the label, passes values and fn errors through', async () => {
    const ctx = await testContext();
    await expect(ctx.withErrorScope('ok', () => 42)).resolves.toBe(42);
    await expect(
      ctx.withErrorScope('scoped', () => {
        ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      }),
    ).rejects.toThrow(/^scoped: /);
    await expect(
      ctx.withErrorScope('throws', () => {
        throw new RangeError('mine');
      }),
    ).rejects.toThrow(RangeError);
    await ctx.checkErrors();
  });

  it('timeGpu returns milliseconds when timestamp-query exists', async () => {
    const ctx = await testContext();
    using a = Tensor.empty(ctx, [1 << 16], 'f32');
    using b = Tensor.empty(ctx, [1 << 16], 'f32');
    const ms = await ctx.timeGpu(() => copyVec4(ctx, a.buffer, b.buffer, 1 << 18));
    if (ctx.features.timestampQuery) {
      expect(typeof ms).toBe('number');
      expect(ms!).toBeGreaterThanOrEqual(0);
    } else expect(ms).toBeUndefined();
  });

  it('profileKernels sums GPU time per kernel label and leaves the sink as it was', async () => {
    const ctx = await testContext();
    using a = Tensor.empty(ctx, [1 << 16], 'f32');
    using b = Tensor.empty(ctx, [1 << 16], 'f32');
    a.write(Float32Array.from({ length: 1 << 16 }, (_, i) => i));
    if (!ctx.features.timestampQuery) {
      await expect(ctx.profileKernels(() => 1)).rejects.toThrow(/profileKernels: .*no timestamp-query/);
      return;
    }
    const { result, kernels } = await ctx.profileKernels(() => {
      for (let i = 0; i < 3; i++) copyVec4(ctx, a.buffer, b.buffer, 1 << 18);
      return 'done';
    });
    expect(result).toBe('done');
    expect(kernels).toHaveLength(1);
    expect(kernels[0]!.label).toBe('copy-vec4');
    expect(kernels[0]!.count).toBe(3);
    expect(kernels[0]!.ms).toBeGreaterThanOrEqual(0);
    // The copies ran: profiling changes timing only.
    expect((await b.read())[12345]).toBe(12345);
    await expect(ctx.profileKernels(() => ctx.profileKernels(() => 0))).rejects.toThrow(
      /another profile is in progress/,
    );
    // After a failed profile the sink is live again: a dispatch outside profiling is not counted.
    const again = await ctx.profileKernels(() => undefined);
    expect(again.kernels).toEqual([]);
  });

  it('throws DisposedError after dispose', async () => {
    const ctx = await createGpuContext();
    using t = Tensor.empty(ctx, [4], 'f32');
    ctx.dispose();
    expect(ctx.isDisposed).toBe(true);
    expect(() => Tensor.empty(ctx, [4], 'f32')).toThrow(DisposedError);
    await expect(ctx.checkErrors()).rejects.toThrow(/the GpuContext was disposed/);
    expect(() => t.write([1, 2, 3, 4])).toThrow(DisposedError);
  });
});
