// The incremental SHA-256 against node:crypto: awkward lengths around the 64-byte block and the
// 56-byte padding edge, split into random chunks.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from './sha256.js';

function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describe('Sha256', () => {
  it('matches node:crypto on the empty input and "abc"', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('matches node:crypto at awkward lengths, fed in random chunks', () => {
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4133, 65_537]) {
      const bytes = seededBytes(length, length);
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(sha256Hex(bytes), `length ${length}`).toBe(expected);
      const hash = new Sha256();
      let rng = length;
      for (let offset = 0; offset < length; ) {
        rng = (rng * 1103515245 + 12345) & 0x7fffffff;
        const take = Math.min(length - offset, 1 + (rng % 150));
        hash.update(bytes.subarray(offset, offset + take));
        offset += take;
      }
      expect(hash.hex(), `length ${length} in chunks`).toBe(expected);
    }
  });

  it('refuses updates after hex()', () => {
    const hash = new Sha256();
    hash.hex();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/already finished/);
  });

  it('hashes 16 MB at a usable rate', () => {
    const bytes = seededBytes(16 << 20, 7);
    const started = performance.now();
    const actual = sha256Hex(bytes);
    const seconds = (performance.now() - started) / 1000;
    console.log(`sha256: ${((16 << 20) / 1e6 / seconds).toFixed(0)} MB/s`);
    expect(actual).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
