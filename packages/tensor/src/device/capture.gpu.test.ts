import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { InvalidStateError } from '../errors.js';
import { unary } from '../ops/unary/unary.js';
import { unaryRef } from '../ops/unary/unary-ref.js';
import { Tensor } from '../tensor/tensor.js';
import { SeededRandom, expectAllClose } from '../testing.js';

describe('capture / replay', () => {
  it('replays recorded dispatches on new inputs, with intermediates kept for the recording', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(9);
    const baseline = ctx.stats().liveBuffers;
    using x = Tensor.fromArray(ctx, rng.array(1000), [1000], 'f32');
    let y: Tensor | undefined;
    const recording = ctx.captureSequence('test', () => {
      using t = unary('neg', x); // an intermediate released during the capture
      y = unary('exp', t);
    });
    expect(recording.length).toBe(2);
    for (let round = 0; round < 3; round++) {
      const host = rng.array(1000);
      x.write(host);
      recording.replay();
      expectAllClose(await y!.read(), unaryRef('exp', unaryRef('neg', host)), { rtol: 2e-5, atol: 1e-6 });
    }
    // The intermediate stays reserved (live) until the recording is disposed.
    expect(ctx.stats().liveBuffers).toBe(baseline + 3);
    recording.dispose();
    y!.dispose();
    expect(ctx.stats().liveBuffers).toBe(baseline + 1);
    await ctx.checkErrors();
  });

  it('refuses host writes while capturing and ends the capture on error', async () => {
    const ctx = await testContext();
    using x = Tensor.fromArray(ctx, [1, 2, 3, 4], [4], 'f32');
    expect(() => ctx.captureSequence('bad', () => x.write([0, 0, 0, 0]))).toThrow(InvalidStateError);
    // The failed capture ended: normal work goes on.
    x.write([5, 6, 7, 8]);
    expect(Array.from(await x.read())).toEqual([5, 6, 7, 8]);
  });

  it('refuses reads, copies, timing and nested replays while capturing, naming the caller', async () => {
    const ctx = await testContext();
    using a = Tensor.fromArray(ctx, [1, 2, 3, 4], [4], 'f32');
    let b: Tensor | undefined;
    const inner = ctx.captureSequence('inner', () => {
      b = unary('neg', a);
    });
    ctx.beginCapture('outer');
    try {
      expect(() => ctx.copyBuffer(a.buffer, 0, b!.buffer, 0, 16)).toThrow(
        /^copyBuffer: not allowed while capturing 'outer'/,
      );
      await expect(a.read()).rejects.toThrow(/^readBuffer: not allowed while capturing 'outer'/);
      await expect(ctx.timeGpu(() => undefined)).rejects.toThrow(InvalidStateError);
      expect(() => inner.replay()).toThrow(/^Recording.replay: not allowed while capturing 'outer'/);
      expect(() => ctx.beginCapture('again')).toThrow(/already capturing 'outer'/);
    } finally {
      ctx.endCapture().dispose();
    }
    // Live again: the recording replays and reads work.
    inner.replay();
    expect(Array.from(await b!.read())).toEqual([-1, -2, -3, -4]);
    inner.dispose();
    b!.dispose();
    await ctx.checkErrors();
  });
});
