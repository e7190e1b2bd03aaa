// measure() on GPU work: timestamp queries where the device has them, wall clock around submit
// otherwise (or when asked); the clock used is reported.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { createGpuContext } from '../device/context.js';
import { copyVec4 } from '../ops/copy/copy.js';
import { Tensor } from '../tensor/tensor.js';
import { measure } from './measure.js';

describe('measure (GPU work)', () => {
  it('times recorded dispatches with GPU timestamps when the device has them', async () => {
    const ctx = await testContext();
    using a = Tensor.empty(ctx, [1 << 14], 'f32');
    using b = Tensor.empty(ctx, [1 << 14], 'f32');
    let records = 0;
    const m = await measure(
      ctx,
      () => {
        records++;
        copyVec4(ctx, a.buffer, b.buffer, 1 << 16);
      },
      { warmup: 1, samples: 4, repeat: 2 },
    );
    expect(records).toBe(10);
    expect(m.samples).toHaveLength(4);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.clock).toBe(ctx.features.timestampQuery ? 'gpu-timestamp' : 'submit-wall');
    await ctx.checkErrors();
  });

  it('uses the wall clock around submit without timestamp-query, or when asked', async () => {
    const ctx = await createGpuContext({ disableFeatures: ['timestamp-query'] });
    try {
      using a = Tensor.empty(ctx, [1024], 'f32');
      using b = Tensor.empty(ctx, [1024], 'f32');
      const record = () => copyVec4(ctx, a.buffer, b.buffer, 4096);
      const m = await measure(ctx, record, { warmup: 0, samples: 2 });
      expect(m.clock).toBe('submit-wall');
      expect(m.min).toBeGreaterThan(0);
    } finally {
      ctx.dispose();
    }
    const shared = await testContext();
    using c = Tensor.empty(shared, [1024], 'f32');
    using d = Tensor.empty(shared, [1024], 'f32');
    const forced = await measure(shared, () => copyVec4(shared, c.buffer, d.buffer, 4096), {
      warmup: 0,
      samples: 1,
      wallClock: true,
    });
    expect(forced.clock).toBe('submit-wall');
    await shared.checkErrors();
  });
});
