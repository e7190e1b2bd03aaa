// Device loss surfaces as a typed DeviceLostError on the next use, naming the caller and the
// reason, instead of hanging or crashing (a context of its own: the shared one must survive).
import { describe, expect, it } from 'vitest';
import { DeviceLostError, NoAdapterError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { createGpuContext } from './context.js';

describe('device loss', () => {
  it('makes every later use throw DeviceLostError', async () => {
    const ctx = await createGpuContext();
    using t = Tensor.fromArray(ctx, [1, 2, 3, 4], [4], 'f32');
    expect(Array.from(await t.read())).toEqual([1, 2, 3, 4]);
    ctx.device.destroy(); // what a driver reset looks like to the page
    await ctx.device.lost;
    expect(() => Tensor.empty(ctx, [4], 'f32')).toThrow(DeviceLostError);
    await expect(t.read()).rejects.toThrow(/readBuffer: the GPU device was lost \(destroyed/);
  });
});

describe('adapter choice', () => {
  it('MAMBA_WEBGPU_ADAPTER / { adapter } that matches nothing gives NoAdapterError with the remedy', async () => {
    await expect(createGpuContext({ adapter: 'no-such-gpu-vendor' })).rejects.toThrow(
      /createGpuContext: adapter matching "no-such-gpu-vendor" requested, got .*unset MAMBA_WEBGPU_ADAPTER/,
    );
    const previous = process.env.MAMBA_WEBGPU_ADAPTER;
    process.env.MAMBA_WEBGPU_ADAPTER = 'no-such-gpu-vendor';
    try {
      await expect(createGpuContext()).rejects.toThrow(NoAdapterError);
    } finally {
      if (previous === undefined) delete process.env.MAMBA_WEBGPU_ADAPTER;
      else process.env.MAMBA_WEBGPU_ADAPTER = previous;
    }
  });

  it('an adapter that matches is accepted, and disableFeatures removes optional features', async () => {
    const probe = await createGpuContext();
    const name = probe.adapter.vendor || probe.adapter.description;
    probe.dispose();
    const ctx = await createGpuContext({ adapter: name, disableFeatures: ['subgroups', 'timestamp-query'] });
    expect(ctx.features.subgroups).toBe(false);
    expect(ctx.features.timestampQuery).toBe(false);
    expect(await ctx.timeGpu(() => undefined)).toBeUndefined();
    ctx.dispose();
  });
});
