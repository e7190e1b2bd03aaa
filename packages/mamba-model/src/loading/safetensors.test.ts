// Tests of the safetensors reader: the fixtures parse, raw 16-bit bytes come back packed, every
// kind of malformed file gives a typed error naming tensor and file, and random corruption never
// gives anything else (fast-check).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSafetensors, fixtureBytes, rawSafetensors } from '../../test/loading/helpers.js';
import { blobSource, bytesSource } from './byte-source.js';
import { MambaModelError, SafetensorsError } from './errors.js';
import { openFileSource } from './node-file-source.js';
import {
  decodeToFloat32,
  decodeToInt32,
  f16ToF32,
  readAllTensors,
  readSafetensorsHeader,
  readTensorBytes,
  toU32Words,
} from './safetensors.js';

async function expectSafetensorsError(
  promise: Promise<unknown>,
  reason: SafetensorsError['reason'],
  file: string,
  tensor?: string,
): Promise<SafetensorsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SafetensorsError);
  const typed = error as SafetensorsError;
  expect(typed.reason).toBe(reason);
  expect(typed.file).toBe(file);
  expect(typed.message).toContain(file);
  if (tensor !== undefined) {
    expect(typed.tensor).toBe(tensor);
    expect(typed.message).toContain(tensor);
  }
  expect(typed.message).toMatch(/^[A-Za-z.]+: /);
  return typed;
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe('readSafetensorsHeader on the fixtures', () => {
  it('reads the f32 checkpoint from disk', async () => {
    const source = await openFileSource(
      new URL('../../test/fixtures/mamba-tiny/model.safetensors', import.meta.url).pathname,
    );
    try {
      const header = await readSafetensorsHeader(source);
      expect(header.tensors.size).toBe(1 + 2 * 10 + 1);
      expect(header.metadata).toEqual({ format: 'pt' });
      const embedding = header.tensors.get('backbone.embeddings.weight')!;
      expect(embedding).toMatchObject({ dtype: 'F32', shape: [512, 64], byteLength: 512 * 64 * 4 });
      expect(header.tensors.get('backbone.layers.1.mixer.conv1d.weight')!.shape).toEqual([128, 1, 4]);
      expect(header.tensors.get('backbone.layers.0.mixer.x_proj.weight')!.shape).toEqual([36, 128]);
    } finally {
      await source.close?.();
    }
  });

  it('exposes bf16 bytes packed two per u32 and decodes them to the f32 weights', async () => {
    const f32File = bytesSource(fixtureBytes('mamba-tiny/model.safetensors'), 'f32');
    const bf16File = bytesSource(fixtureBytes('mamba-tiny-bf16/model.safetensors'), 'bf16');
    const f32Header = await readSafetensorsHeader(f32File);
    const bf16Header = await readSafetensorsHeader(bf16File);
    for (const name of ['backbone.layers.0.mixer.D', 'backbone.layers.0.mixer.x_proj.weight']) {
      const packed = await readTensorBytes(bf16File, bf16Header.tensors.get(name)!);
      const full = await readTensorBytes(f32File, f32Header.tensors.get(name)!);
      expect(packed.dtype).toBe('BF16');
      expect(packed.bytes.byteLength).toBe(full.bytes.byteLength / 2);
      const words = toU32Words(packed);
      expect(words.length).toBe(Math.ceil(packed.bytes.byteLength / 4));
      // Element 2k in the low half of word k: the bf16 bits are the top 16 bits of the f32.
      const low = words[0]! & 0xffff;
      const decodedFirst = new Float32Array(new Uint32Array([low << 16]).buffer)[0]!;
      const reference = decodeToFloat32(full);
      expect(decodedFirst).toBe(decodeToFloat32(packed)[0]);
      const decoded = decodeToFloat32(packed);
      for (let i = 0; i < reference.length; i++) {
        expect(Math.abs(decoded[i]! - reference[i]!)).toBeLessThanOrEqual(
          Math.abs(reference[i]!) / 128 + 1e-30,
        );
      }
    }
  });

  it('pads an odd count of 16-bit values to a whole u32', () => {
    const words = toU32Words({ bytes: new Uint8Array([1, 2, 3, 4, 5, 6]).subarray(0, 6) });
    expect([...words]).toEqual([0x04030201, 0x00000605]);
    const unaligned = toU32Words({ bytes: new Uint8Array([9, 1, 2, 3, 4]).subarray(1) });
    expect([...unaligned]).toEqual([0x04030201]);
  });

  it('decodes f16 values', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(f16ToF32(0x7e00)).toBeNaN();
    const bytes = new Uint8Array(new Uint16Array([0x3c00, 0x3800, 0xbc00]).buffer);
    expect([...decodeToFloat32({ bytes, dtype: 'F16', name: 'x', file: 'f' })]).toEqual([1, 0.5, -1]);
  });

  it('reads the oracle file (f32 logits, i32 ids) through a Blob', async () => {
    const bytes = fixtureBytes('mamba-tiny/expected.safetensors');
    const tensors = await readAllTensors(blobSource(new Blob([bytes]), 'expected.safetensors'));
    expect(tensors.get('logits')!.shape).toEqual([2, 37, 512]);
    expect(decodeToFloat32(tensors.get('logits')!).length).toBe(2 * 37 * 512);
    const ids = decodeToInt32(tensors.get('input_ids')!);
    expect(ids.length).toBe(74);
    expect(ids.every((id) => id >= 0 && id < 512)).toBe(true);
    expect(() => decodeToInt32(tensors.get('logits')!)).toThrow(SafetensorsError);
  });
});

describe('readSafetensorsHeader rejects malformed files with typed errors', () => {
  const good = () => ({
    a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
  });
  const data = new Uint8Array(24);

  it('accepts the well-formed baseline', async () => {
    const header = await readSafetensorsHeader(bytesSource(rawSafetensors(good(), data), 'ok.safetensors'));
    expect([...header.tensors.keys()]).toEqual(['a', 'b']);
  });

  it('truncated file', async () => {
    const whole = rawSafetensors(good(), data);
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(whole.subarray(0, 5), 't.st')),
      'truncated',
      't.st',
    );
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(whole.subarray(0, 40), 't.st')),
      'truncated',
      't.st',
    );
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(whole.subarray(0, whole.byteLength - 4), 't.st')),
      'offset-out-of-file',
      't.st',
      'b',
    );
    const fixture = fixtureBytes('mamba-tiny/model.safetensors');
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(fixture.subarray(0, fixture.byteLength - 100), 'model.safetensors')),
      'offset-out-of-file',
      'model.safetensors',
      'backbone.norm_f.weight',
    );
  });

  it('garbled header', async () => {
    const garbled = rawSafetensors('{"a": {"dtype": "F32", "shape": [2,', new Uint8Array(8));
    await expectSafetensorsError(readSafetensorsHeader(bytesSource(garbled, 'g.st')), 'bad-header', 'g.st');
    const notObject = rawSafetensors('[1, 2, 3]', new Uint8Array(0));
    await expectSafetensorsError(readSafetensorsHeader(bytesSource(notObject, 'g.st')), 'bad-header', 'g.st');
    const badUtf8 = rawSafetensors('{"a":1}', new Uint8Array(0));
    badUtf8[10] = 0xff;
    await expectSafetensorsError(readSafetensorsHeader(bytesSource(badUtf8, 'g.st')), 'bad-header', 'g.st');
    const badEntry = rawSafetensors(
      { a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } },
      new Uint8Array(4),
    );
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(badEntry, 'g.st')),
      'bad-entry',
      'g.st',
      'a',
    );
  });

  it('header length over the cap', async () => {
    const file = rawSafetensors(good(), data, 2 ** 40);
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(file, 'big.st')),
      'header-too-large',
      'big.st',
    );
    const small = rawSafetensors(good(), data);
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(small, 'big.st'), { maxHeaderBytes: 16 }),
      'header-too-large',
      'big.st',
    );
  });

  it('overlapping offsets', async () => {
    const header = good();
    header.b.data_offsets = [8, 16];
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(rawSafetensors(header, data), 'o.st')),
      'overlap',
      'o.st',
      'b',
    );
  });

  it('offsets out of the file', async () => {
    const header = good();
    header.b.data_offsets = [24, 32];
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(rawSafetensors(header, data), 'x.st')),
      'offset-out-of-file',
      'x.st',
      'b',
    );
  });

  it('dtype/shape inconsistent with the byte length, unknown dtype', async () => {
    const header = good();
    header.a.dtype = 'F16';
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(rawSafetensors(header, data), 'd.st')),
      'byte-length',
      'd.st',
      'a',
    );
    const shaped = good();
    shaped.b.shape = [3];
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(rawSafetensors(shaped, data), 'd.st')),
      'byte-length',
      'd.st',
      'b',
    );
    const unknown = good();
    unknown.a.dtype = 'Q4_K';
    await expectSafetensorsError(
      readSafetensorsHeader(bytesSource(rawSafetensors(unknown, data), 'd.st')),
      'unknown-dtype',
      'd.st',
      'a',
    );
  });

  it('a source that returns too few bytes', async () => {
    const whole = buildSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: f32([1, 2]) }]);
    const inner = bytesSource(whole, 'short.st');
    const lying = {
      ...inner,
      read: async (o: number, n: number) => (await inner.read(o, n)).subarray(0, Math.max(0, n - 1)),
    };
    await expectSafetensorsError(readSafetensorsHeader(lying), 'truncated', 'short.st');
    const header = await readSafetensorsHeader(inner);
    await expectSafetensorsError(
      readTensorBytes(lying, header.tensors.get('w')!),
      'truncated',
      'short.st',
      'w',
    );
  });
});

describe('fuzzing', () => {
  const valid = buildSafetensors(
    [
      { name: 'x', dtype: 'F32', shape: [2, 3], data: f32([1, 2, 3, 4, 5, 6]) },
      { name: 'y', dtype: 'BF16', shape: [3], data: new Uint8Array(6) },
      { name: 'z', dtype: 'I32', shape: [], data: new Uint8Array(4) },
    ],
    { format: 'pt' },
  );

  async function readEverything(bytes: Uint8Array): Promise<void> {
    const source = bytesSource(bytes, 'fuzz.st');
    const header = await readSafetensorsHeader(source);
    for (const entry of header.tensors.values()) {
      const tensor = await readTensorBytes(source, entry);
      if (['F32', 'F16', 'BF16'].includes(tensor.dtype)) decodeToFloat32(tensor);
      toU32Words(tensor);
    }
  }

  it('random byte mutations and truncations give only typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ index: fc.nat(valid.byteLength - 1), value: fc.nat(255) }), { maxLength: 8 }),
        fc.option(fc.nat(valid.byteLength), { nil: undefined }),
        async (mutations, cut) => {
          const bytes = valid.slice(0, cut ?? valid.byteLength);
          for (const { index, value } of mutations) if (index < bytes.byteLength) bytes[index] = value;
          try {
            await readEverything(bytes);
          } catch (error) {
            if (!(error instanceof MambaModelError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('mutations focused on the header and its length give only typed errors', async () => {
    const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
    const interesting = '{}[]",:0123456789-.eE FBIU_tnull'.split('').map((c) => c.charCodeAt(0));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ index: fc.nat(headerEnd - 1), value: fc.constantFrom(...interesting, 0, 0xff, 0x80) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (mutations) => {
          const bytes = valid.slice();
          for (const { index, value } of mutations) bytes[index] = value;
          try {
            await readEverything(bytes);
          } catch (error) {
            if (!(error instanceof MambaModelError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
