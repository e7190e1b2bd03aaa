import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/gpu.js';
import { roundThrough } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { SeededRandom, expectAllClose } from '../../testing.js';
import { type BinaryOp, add, binary, mul } from './binary.js';
import { binaryRef } from './binary-ref.js';

describe('add / mul (GPU vs CPU reference)', () => {
  const cases: [number[], number[]][] = [
    [[1], [1]],
    [[7], [7]],
    [[33, 257], [257]],
    [
      [3, 1000],
      [3, 1000],
    ],
    [
      [2, 7, 33],
      [7, 33],
    ],
    [[70_001], [1]],
  ];
  for (const op of ['add', 'mul'] as BinaryOp[]) {
    for (const [aShape, bShape] of cases) {
      it(`${op} (${aShape}) with (${bShape})`, async () => {
        const ctx = await testContext();
        const rng = new SeededRandom(aShape.length * 100 + bShape[0]!);
        const aHost = rng.array(aShape.reduce((p, d) => p * d, 1));
        const bHost = rng.array(bShape.reduce((p, d) => p * d, 1));
        using a = Tensor.fromArray(ctx, aHost, aShape, 'f32');
        using b = Tensor.fromArray(ctx, bHost, bShape, 'f32');
        using out = binary(op, a, b);
        expect(out.shape).toEqual(aShape);
        expectAllClose(await out.read(), binaryRef(op, aHost, bHost), { rtol: 1e-6, atol: 0 });
        using swapped = binary(op, b, a);
        expectAllClose(await swapped.read(), binaryRef(op, aHost, bHost), { rtol: 1e-6, atol: 0 });
      });
    }
  }

  it('packed bias operand and chunked big operand', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(4);
    const aHost = rng.array(41 * 33);
    const bHost = rng.array(33);
    using a = Tensor.fromArray(ctx, aHost, [41, 33], 'f32');
    using b = Tensor.fromArray(ctx, bHost, [33], 'bf16');
    using out = add(a, b, { maxBindingBytes: 1024 });
    expectAllClose(await out.read(), binaryRef('add', aHost, roundThrough(bHost, 'bf16')), {
      rtol: 1e-6,
      atol: 0,
    });
    using prod = mul(a, b, { maxBindingBytes: 1024 });
    expectAllClose(await prod.read(), binaryRef('mul', aHost, roundThrough(bHost, 'bf16')), {
      rtol: 1e-6,
      atol: 0,
    });
  });

  it('rejects shapes that do not broadcast', async () => {
    const ctx = await testContext();
    using a = Tensor.fromArray(ctx, new Float32Array(6), [2, 3], 'f32');
    using b = Tensor.fromArray(ctx, new Float32Array(2), [2], 'f32');
    expect(() => add(a, b)).toThrow(/add: shapes \(2, 3\) and \(2\) do not broadcast/);
  });
});
