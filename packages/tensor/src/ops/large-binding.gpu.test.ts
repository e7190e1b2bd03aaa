// One real tensor over maxStorageBufferBindingSize (128 MiB on lavapipe): the 130m model's f32
// embedding / LM head, 50280 x 768 (154 MB), through embedding gather and the LM-head GEMV.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { Tensor } from '../tensor/tensor.js';
import { SeededRandom, TOLERANCES, expectAllClose } from '../testing.js';
import { argmax } from './argmax/argmax.js';
import { embedding } from './embedding/embedding.js';
import { embeddingRef } from './embedding/embedding-ref.js';
import { matmul } from './matmul/matmul.js';
import { matmulRef } from './matmul/matmul-ref.js';

describe('a 154 MB table over the binding limit', () => {
  it('embedding gather and LM-head GEMV over the (50280, 768) f32 table', async () => {
    const ctx = await testContext();
    const vocab = 50280;
    const dim = 768;
    if (vocab * dim * 4 > ctx.limits.maxBufferSize) return;
    const host = new Float32Array(vocab * dim);
    for (let i = 0; i < host.length; i++) host[i] = (Math.imul(i, 2654435761) >>> 0) / 2 ** 32 - 0.5;
    using table = Tensor.fromArray(ctx, host, [vocab, dim], 'f32', 'lm-head');
    const idsHost = Int32Array.from([0, 1, 43_690, 43_691, vocab - 1, 12_345]);
    using ids = Tensor.fromArray(ctx, idsHost, [idsHost.length], 'i32');
    using rows = embedding(ids, table);
    expectAllClose(await rows.read(), embeddingRef(idsHost, host, dim), { rtol: 0, atol: 0 });
    const xHost = new SeededRandom(1).array(2 * dim);
    using x = Tensor.fromArray(ctx, xHost, [2, dim], 'f32');
    using logits = matmul(x, table);
    const expected = matmulRef(xHost, host, 2, vocab, dim);
    expectAllClose(await logits.read(), expected, TOLERANCES.f32);
    using best = argmax(logits);
    const got = await best.read();
    for (let r = 0; r < 2; r++) {
      const row = expected.subarray(r * vocab, (r + 1) * vocab);
      expect(Math.abs(row[got[r]!]! - Math.max(...row))).toBeLessThan(1e-3);
    }
  });
});
