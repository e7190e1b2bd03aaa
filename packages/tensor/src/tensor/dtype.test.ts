import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32,
  byteLength,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  packHalves,
  roundThrough,
  unpackHalves,
} from './dtype.js';

const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0]!;

describe('bf16 conversions', () => {
  it('round to nearest even at the halfway point', () => {
    expect(f32ToBf16Bits(f32(0x3f808000))).toBe(0x3f80); // tie, even stays
    expect(f32ToBf16Bits(f32(0x3f818000))).toBe(0x3f82); // tie, odd rounds up
    expect(f32ToBf16Bits(f32(0x3f808001))).toBe(0x3f81); // above the tie
    expect(f32ToBf16Bits(f32(0x3f807fff))).toBe(0x3f80); // below the tie
  });
  it('keep inf, NaN and signed zero; overflow rounds to inf', () => {
    expect(bf16BitsToF32(f32ToBf16Bits(Number.POSITIVE_INFINITY))).toBe(Number.POSITIVE_INFINITY);
    expect(bf16BitsToF32(f32ToBf16Bits(Number.NEGATIVE_INFINITY))).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(Number.NaN)))).toBe(true);
    expect(Object.is(bf16BitsToF32(f32ToBf16Bits(-0)), -0)).toBe(true);
    expect(bf16BitsToF32(f32ToBf16Bits(f32(0x7f7fffff)))).toBe(Number.POSITIVE_INFINITY);
  });
  it('round-trips every bf16 value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits += 7) {
      const v = bf16BitsToF32(bits);
      if (!Number.isNaN(v)) expect(f32ToBf16Bits(v)).toBe(bits);
    }
  });
});

describe('f16 conversions', () => {
  it('handle subnormals with round to nearest even', () => {
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001);
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // tie to even (0)
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp, tie to even (2)
    expect(f32ToF16Bits(2 ** -14 - 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f32ToF16Bits(2 ** -30)).toBe(0);
    expect(f32ToF16Bits(-(2 ** -24))).toBe(0x8001);
  });
  it('overflow to inf, keep NaN, max finite 65504', () => {
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds up past max
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f32ToF16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(f16BitsToF32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Number.NaN)))).toBe(true);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
  it('round-trips every finite f16 value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      expect(f32ToF16Bits(f16BitsToF32(bits))).toBe(bits);
    }
  });
});

describe('packing', () => {
  it('packs two per u32, low half first, odd lengths padded', () => {
    const packed = packHalves([1, 2, 3], 'bf16');
    expect(packed.length).toBe(2);
    expect(packed[0]).toBe((0x4000 << 16) | 0x3f80);
    expect(packed[1]).toBe(0x4040);
    expect(Array.from(unpackHalves(packed, 3, 'bf16'))).toEqual([1, 2, 3]);
    expect(Array.from(roundThrough(new Float32Array([1 / 3]), 'f16'))).toEqual([f16BitsToF32(0x3555)]);
  });
  it('byteLength rounds packed types up to whole u32', () => {
    expect(byteLength('f32', 3)).toBe(12);
    expect(byteLength('bf16', 3)).toBe(8);
    expect(byteLength('f16', 4)).toBe(8);
    expect(byteLength('i32', 0)).toBe(0);
  });
});
