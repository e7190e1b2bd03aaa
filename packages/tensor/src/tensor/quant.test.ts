// The CPU side of q8/q4: block layout, error bounds against the exact values, edge cases, typed
// errors for what cannot be quantized.
import { describe, expect, it } from 'vitest';
import { DTypeError } from '../errors.js';
import { SeededRandom } from '../testing.js';
import { QUANT_BLOCK, QUANT_BLOCK_WORDS, byteLength } from './dtype.js';
import { dequantize, quantize, roundThroughQuantized } from './quant.js';

describe('block quantization (q8, q4)', () => {
  it('stores whole blocks: 36 bytes (q8) and 20 bytes (q4) per 32 elements, the last block padded', () => {
    expect(byteLength('q8', 64)).toBe(72);
    expect(byteLength('q4', 64)).toBe(40);
    expect(byteLength('q8', 33)).toBe(72);
    expect(quantize(new Float32Array(33), 'q8').length).toBe(2 * QUANT_BLOCK_WORDS.q8);
    expect(quantize(new Float32Array(1), 'q4').length).toBe(QUANT_BLOCK_WORDS.q4);
  });

  it('q8: each element within half a step (max|v| / 254) of its value; the block max exact', () => {
    const rng = new SeededRandom(1);
    for (const n of [1, 31, 32, 33, 1000]) {
      const v = rng.array(n, () => rng.normal() * 0.05);
      const r = roundThroughQuantized(v, 'q8');
      for (let b = 0; b * QUANT_BLOCK < n; b++) {
        const block = v.subarray(b * QUANT_BLOCK, (b + 1) * QUANT_BLOCK);
        const amax = Math.max(...block.map(Math.abs));
        for (let j = 0; j < block.length; j++) {
          const i = b * QUANT_BLOCK + j;
          expect(Math.abs(r[i]! - v[i]!)).toBeLessThanOrEqual((amax / 254) * (1 + 1e-5) + 1e-12);
        }
      }
    }
  });

  it('q4: each element within half a step ((max - min) / 30) plus the f16 rounding of the minimum', () => {
    const rng = new SeededRandom(2);
    const v = rng.array(1000, () => rng.normal() * 0.05);
    const r = roundThroughQuantized(v, 'q4');
    for (let b = 0; b * QUANT_BLOCK < v.length; b++) {
      const block = v.subarray(b * QUANT_BLOCK, (b + 1) * QUANT_BLOCK);
      const [min, max] = [Math.min(...block), Math.max(...block)];
      const bound = ((max - min) / 30) * 1.01 + Math.abs(min) * 2 ** -10 + 1e-7;
      for (let j = 0; j < block.length; j++) {
        const i = b * QUANT_BLOCK + j;
        expect(Math.abs(r[i]! - v[i]!)).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('constant and zero blocks, negative extremes, integers on the q8 grid come back exactly', () => {
    expect(Array.from(roundThroughQuantized(new Float32Array(40), 'q8'))).toEqual(new Array(40).fill(0));
    expect(Array.from(roundThroughQuantized(new Float32Array(40).fill(0.5), 'q4'))).toEqual(
      new Array(40).fill(0.5),
    );
    const grid = Float32Array.from({ length: 32 }, (_, i) => i - 16 - (i === 0 ? 111 : 0)); // -127 .. 15
    expect(Array.from(roundThroughQuantized(grid, 'q8'))).toEqual(Array.from(grid));
  });

  it('dequantize reads the first numel elements only', () => {
    const v = Float32Array.from({ length: 40 }, (_, i) => i / 40);
    expect(dequantize(quantize(v, 'q8'), 5, 'q8').length).toBe(5);
  });

  it('refuses non-finite values and q4 blocks beyond f16 range with a DTypeError naming the caller', () => {
    expect(() => quantize([1, Number.NaN], 'q8', 'upload(w)')).toThrow(DTypeError);
    expect(() => quantize([1, Number.NaN], 'q8', 'upload(w)')).toThrow(/^upload\(w\): element 1 is NaN/);
    expect(() => quantize([0, 1e6], 'q4')).toThrow(/beyond f16's range/);
    expect(() => quantize([0, 1e6], 'q8')).not.toThrow();
  });
});
