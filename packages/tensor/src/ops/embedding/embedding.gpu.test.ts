import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { roundThrough } from '../../tensor/dtype.js';
import { roundThroughQuantized } from '../../tensor/quant.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, expectAllClose } from '../../testing.js';
import { embedding } from './embedding.js';
import { embeddingRef } from './embedding-ref.js';

async function check(
  tokens: number,
  vocab: number,
  dim: number,
  dtype: 'f32' | 'f16' | 'bf16' | 'q8' | 'q4',
  maxBindingBytes?: number,
) {
  const ctx = await testContext();
  const rng = new SeededRandom(tokens * 13 + vocab + dim);
  const tableHost = rng.array(vocab * dim);
  const idsHost = Int32Array.from({ length: tokens }, () => rng.int(vocab));
  if (tokens > 2) idsHost[1] = vocab - 1;
  using table = Tensor.fromArray(ctx, tableHost, [vocab, dim], dtype);
  using ids = Tensor.fromArray(ctx, idsHost, [tokens], 'i32');
  using out = embedding(ids, table, maxBindingBytes ? { maxBindingBytes } : {});
  expect(out.shape).toEqual([tokens, dim]);
  const quantized = dtype === 'q8' || dtype === 'q4';
  const rounded =
    dtype === 'f32'
      ? tableHost
      : quantized
        ? roundThroughQuantized(tableHost, dtype)
        : roundThrough(tableHost, dtype);
  // Quantized rows are dequantized on the GPU (q4: q * s + m may be fused into one FMA).
  const tolerance = quantized ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 0, atol: 0 };
  expectAllClose(await out.read(), embeddingRef(idsHost, rounded, dim), tolerance);
  await ctx.checkErrors();
}

describe('embedding (GPU vs CPU reference)', () => {
  for (const [tokens, vocab, dim] of [
    [1, 1, 1],
    [7, 33, 7],
    [33, 257, 64],
    [257, 1000, 33],
  ] as const) {
    for (const dtype of ['f32', 'f16', 'bf16', 'q8', 'q4'] as const) {
      it(`tokens=${tokens} vocab=${vocab} dim=${dim} ${dtype}`, () => check(tokens, vocab, dim, dtype));
    }
  }

  it('splits the table and the tokens into binding-sized chunks', async () => {
    await check(50, 301, 33, 'f32', 1024);
    await check(50, 301, 33, 'bf16', 1024);
    // Quantized windows start on whole blocks at the offset alignment (2304 bytes for q8).
    await check(50, 301, 33, 'q8', 8192);
    await check(50, 301, 64, 'q4', 4096);
  });

  it('gives NaN rows for out-of-range ids, keeps batch dims', async () => {
    const ctx = await testContext();
    using table = Tensor.fromArray(ctx, [1, 2, 3, 4], [2, 2], 'f32');
    using ids = Tensor.fromArray(ctx, [1, -1, 2, 0], [2, 2], 'i32');
    using out = embedding(ids, table);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(Array.from(await out.read())).toEqual([
      3,
      4,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      1,
      2,
    ]);
  });

  it('validates dtypes', async () => {
    const ctx = await testContext();
    using table = Tensor.fromArray(ctx, [1, 2, 3, 4], [2, 2], 'f32');
    using ids = Tensor.fromArray(ctx, [1, 0], [2], 'f32');
    expect(() => embedding(ids, table)).toThrow(/embedding: ids must be i32, got f32/);
  });
});
