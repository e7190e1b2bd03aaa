import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { gatherLayout } from '../../tensor/layout.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom } from '../../testing.js';
import { contiguous } from './contiguous.js';
import { copyInto, tiledOrder } from './copy-into.js';

describe('copyInto / contiguous: the tiled transpose path', () => {
  it('takes the tiled kernel only for a transpose of long enough dims', () => {
    // (1, 3, 37, 70) read with L-major strides into a row-major copy: a = 3 (src stride 1), b = 2.
    const s = { shape: [1, 3, 70, 37], strides: [0, 2590, 1, 70] };
    const d = { shape: [1, 3, 70, 37], strides: [0, 2590, 37, 1] };
    expect(tiledOrder(s, d, 65535)).toEqual([0, 1, 3, 2]);
    // Both sides contiguous along the last dim: the element-wise kernel is coalesced.
    expect(tiledOrder(d, d, 65535)).toBeUndefined();
    // A transposed dim shorter than 8: element-wise.
    expect(
      tiledOrder(
        { shape: [1, 1, 4, 50], strides: [0, 0, 1, 4] },
        { shape: [1, 1, 4, 50], strides: [0, 0, 50, 1] },
        65535,
      ),
    ).toBeUndefined();
    // A grid past the limit: element-wise.
    expect(tiledOrder(s, d, 2)).toBeUndefined();
  });

  it('contiguous() of transposes matches the host gather (ragged tiles, batch dims)', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(3);
    for (const [shape, order] of [
      [
        [3, 37, 70],
        [0, 2, 1],
      ],
      [
        [2, 5, 40, 33],
        [0, 3, 1, 2],
      ],
      [
        [65, 9],
        [1, 0],
      ],
    ] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = rng.array(n);
      using base = Tensor.fromArray(ctx, data, shape, 'f32');
      const strides = [...base.strides];
      using view = base.view({ shape: order.map((k) => shape[k]!), strides: order.map((k) => strides[k]!) });
      using copy = contiguous(view);
      expect(Array.from(await copy.read())).toEqual(Array.from(gatherLayout(data, view)));
    }
    await ctx.checkErrors();
  });

  it('copyInto writes a channel-major gradient into a token-major region, leaving the rest', async () => {
    const ctx = await testContext();
    const [batch, seqLen, width, offset, channels] = [2, 45, 100, 10, 40];
    const src = new SeededRandom(4).array(batch * channels * seqLen);
    using dy = Tensor.fromArray(ctx, src, [batch, channels, seqLen], 'f32');
    const init = Float32Array.from({ length: batch * seqLen * width }, (_, i) => -i);
    using base = Tensor.fromArray(ctx, init, [batch * seqLen, width], 'f32');
    const layout = { shape: [batch, channels, seqLen], strides: [seqLen * width, 1, width], offset };
    using region = base.view(layout);
    copyInto(region, dy);
    const want = Float32Array.from(init);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < channels; c++) {
        for (let t = 0; t < seqLen; t++) {
          want[offset + b * seqLen * width + c + t * width] = src[(b * channels + c) * seqLen + t]!;
        }
      }
    }
    expect(Array.from(await base.read())).toEqual(Array.from(want));
    await ctx.checkErrors();
  });
});
