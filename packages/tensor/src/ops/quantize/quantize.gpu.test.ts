// The GPU quantizer against the CPU reference (tensor/quant.ts): the same block layout, the same
// values except at rounding ties, any source dtype, awkward sizes and windowed (split) tensors.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { QUANT_BLOCK, roundThrough } from '../../tensor/dtype.js';
import { dequantize, quantize } from '../../tensor/quant.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom } from '../../testing.js';
import { quantizeTensor } from './quantize.js';

async function check(
  numel: number,
  dtype: 'q8' | 'q4',
  src: 'f32' | 'f16' | 'bf16',
  maxBindingBytes?: number,
) {
  const ctx = await testContext();
  const rng = new SeededRandom(numel * 3 + (dtype === 'q8' ? 1 : 2));
  const host = rng.array(numel, () => rng.normal() * 0.05);
  const values = src === 'f32' ? host : roundThrough(host, src);
  using x = Tensor.fromArray(ctx, host, [numel], src);
  using q = quantizeTensor(x, dtype, maxBindingBytes ? { maxBindingBytes } : {});
  expect(q.dtype).toBe(dtype);
  const gpu = await q.read();
  const cpu = dequantize(quantize(values, dtype), numel, dtype);
  // Equal but at ties of round() (half-to-even vs half-up), where they differ by one step.
  let differ = 0;
  for (let b = 0; b * QUANT_BLOCK < numel; b++) {
    const block = values.subarray(b * QUANT_BLOCK, (b + 1) * QUANT_BLOCK);
    const step =
      dtype === 'q8'
        ? Math.max(...block.map(Math.abs)) / 127
        : (Math.max(...block) - Math.min(...block)) / 15;
    for (let j = 0; j < block.length; j++) {
      const i = b * QUANT_BLOCK + j;
      const d = Math.abs(gpu[i]! - cpu[i]!);
      if (d > 1e-6 * Math.abs(cpu[i]!) + 1e-9) {
        differ++;
        expect(d, `element ${i}`).toBeLessThanOrEqual(step * 1.01);
      }
    }
  }
  expect(differ / numel).toBeLessThan(0.01);
  await ctx.checkErrors();
}

describe('quantizeTensor (GPU vs CPU reference)', () => {
  for (const dtype of ['q8', 'q4'] as const) {
    for (const numel of [1, 31, 32, 33, 1000, 4133]) {
      it(`${dtype} numel=${numel} from f32`, () => check(numel, dtype, 'f32'));
    }
    it(`${dtype} from packed f16 and bf16`, async () => {
      await check(1000, dtype, 'f16');
      await check(1001, dtype, 'bf16');
    });
    it(`${dtype} in windows of whole blocks past the binding budget`, () =>
      check(20_000, dtype, 'f32', 16_384));
  }

  it('a quantized tensor dequantizes to what matmul reads: quantize then read is the identity on its grid', async () => {
    const ctx = await testContext();
    const grid = Float32Array.from({ length: 64 }, (_, i) => (i % 32) - 16 - (i % 32 === 0 ? 111 : 0));
    using x = Tensor.fromArray(ctx, grid, [2, 32], 'f32');
    using q = quantizeTensor(x, 'q8');
    expect(Array.from(await q.read())).toEqual(Array.from(grid));
  });

  it('refuses integer and quantized inputs with a DTypeError', async () => {
    const ctx = await testContext();
    using ids = Tensor.fromArray(ctx, [1, 2], [2], 'i32');
    expect(() => quantizeTensor(ids, 'q8')).toThrow(/^quantizeTensor: x must be f32 or f16 or bf16, got i32/);
  });
});
