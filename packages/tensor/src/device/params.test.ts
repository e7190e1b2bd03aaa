import { describe, expect, it } from 'vitest';
import { defineParams } from './params.js';

describe('defineParams', () => {
  const Params = defineParams('Params', { rows: 'u32', eps: 'f32', shift: 'i32', x_off: 'u32', dim: 'u32' });

  it('generates the WGSL struct in field order', () => {
    expect(Params.wgsl).toBe(
      'struct Params {\n  rows: u32,\n  eps: f32,\n  shift: i32,\n  x_off: u32,\n  dim: u32,\n}\n',
    );
  });

  it('packs 4-byte little-endian fields in order, padded to 16 bytes', () => {
    expect(Params.byteSize).toBe(32);
    const bytes = Params.pack({ rows: 7, eps: 1e-5, shift: -3, x_off: 0xfffffff0, dim: 768 });
    expect(bytes.byteLength).toBe(32);
    const view = new DataView(bytes);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(Math.fround(1e-5));
    expect(view.getInt32(8, true)).toBe(-3);
    expect(view.getUint32(12, true)).toBe(0xfffffff0);
    expect(view.getUint32(16, true)).toBe(768);
    expect(new Uint8Array(bytes, 20)).toEqual(new Uint8Array(12));
  });

  it('has a 16-byte minimum and rejects missing values', () => {
    const One = defineParams('One', { n: 'u32' });
    expect(One.byteSize).toBe(16);
    expect(() => One.pack({} as { n: number })).toThrow(/packParams\(One\): field n must be a number/);
  });
});
