// Tests of the safetensors writer against the reader: round trips of every dtype (f16/bf16
// rounded to nearest even), the header layout (8-byte padding, metadata, reference order, no
// holes), the fixture rewritten byte for byte, typed errors, and random files (fast-check).

import { f32ToBf16Bits, f32ToF16Bits } from '@mamba-webgpu/tensor/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/loading/helpers.js';
import { bytesSource } from './byte-source.js';
import { SafetensorsError } from './errors.js';
import { decodeToFloat32, decodeToInt32, readAllTensors, readSafetensorsHeader } from './safetensors.js';
import {
  encodeTensorValues,
  planSafetensors,
  type SafetensorsTensor,
  safetensorsChunks,
  serializeSafetensors,
} from './safetensors-writer.js';

async function roundTrip(tensors: SafetensorsTensor[], metadata?: Record<string, string>) {
  const bytes = serializeSafetensors(tensors, metadata);
  const source = bytesSource(bytes, 'written.safetensors');
  return { bytes, header: await readSafetensorsHeader(source), tensors: await readAllTensors(source) };
}

describe('serializeSafetensors', () => {
  it('round-trips f32, f16, bf16 and i32 through the reader, with metadata', async () => {
    const values = [1, -2.5, 0.1, 65504, 1e-8, Number.POSITIVE_INFINITY];
    const { header, tensors } = await roundTrip(
      [
        { name: 'w.f32', dtype: 'F32', shape: [2, 3], data: new Float32Array(values) },
        { name: 'w.f16', dtype: 'F16', shape: [6], data: new Float32Array(values) },
        { name: 'w.bf16', dtype: 'BF16', shape: [3, 2], data: new Float64Array(values) },
        { name: 'ids', dtype: 'I32', shape: [3], data: new Int32Array([7, -1, 2 ** 31 - 1]) },
      ],
      { format: 'pt', step: '3' },
    );
    expect(header.metadata).toEqual({ format: 'pt', step: '3' });
    expect(decodeToFloat32(tensors.get('w.f32')!)).toEqual(new Float32Array(values));
    const f16 = decodeToFloat32(tensors.get('w.f16')!);
    const bf16 = decodeToFloat32(tensors.get('w.bf16')!);
    for (let i = 0; i < values.length; i++) {
      const bits16 = new DataView(tensors.get('w.f16')!.bytes.slice().buffer).getUint16(i * 2, true);
      expect(bits16).toBe(f32ToF16Bits(values[i]!));
      const bitsBf = new DataView(tensors.get('w.bf16')!.bytes.slice().buffer).getUint16(i * 2, true);
      expect(bitsBf).toBe(f32ToBf16Bits(values[i]!));
    }
    expect(f16[0]).toBe(1);
    expect(bf16[1]).toBe(-2.5);
    expect([...decodeToInt32(tensors.get('ids')!)]).toEqual([7, -1, 2 ** 31 - 1]);
    expect(tensors.get('w.bf16')!.shape).toEqual([3, 2]);
  });

  it('pads the header with spaces to 8 bytes and packs tensors without holes, larger elements first', async () => {
    const { bytes, header } = await roundTrip([
      { name: 'b', dtype: 'F16', shape: [3], data: new Float32Array(3) },
      { name: 'a', dtype: 'F16', shape: [1], data: new Float32Array(1) },
      { name: 'z', dtype: 'F32', shape: [2], data: new Float32Array(2) },
      { name: 'c', dtype: 'I32', shape: [1], data: new Int32Array(1) },
    ]);
    expect(header.dataOffset % 8).toBe(0);
    const json = new TextDecoder().decode(bytes.subarray(8, header.dataOffset));
    expect(json).toMatch(/^\{.*\} *$/);
    expect(Object.keys(JSON.parse(json))).toEqual(['z', 'c', 'a', 'b']);
    const entries = [...header.tensors.values()].sort((x, y) => x.byteOffset - y.byteOffset);
    expect(entries.map((e) => e.name)).toEqual(['z', 'c', 'a', 'b']);
    let end = header.dataOffset;
    for (const e of entries) {
      expect(e.byteOffset).toBe(end);
      expect(e.byteOffset % (e.dtype === 'F16' ? 2 : 4)).toBe(0);
      end += e.byteLength;
    }
    expect(end).toBe(bytes.byteLength);
  });

  it('rewrites the mamba-tiny fixture byte for byte (same layout as the Python writer)', async () => {
    const original = fixtureBytes('mamba-tiny/model.safetensors');
    const source = bytesSource(original, 'model.safetensors');
    const header = await readSafetensorsHeader(source);
    const tensors = await readAllTensors(source);
    const rewritten = serializeSafetensors(
      [...tensors.values()].map((t) => ({
        name: t.name,
        dtype: 'F32' as const,
        shape: t.shape,
        data: t.bytes,
      })),
      header.metadata,
    );
    expect(Buffer.from(rewritten).equals(Buffer.from(original))).toBe(true);
  });

  it('streams the same bytes chunk by chunk, reading each tensor only when reached', async () => {
    const read: string[] = [];
    const lazy = ['b', 'a'].map((name) => ({
      name,
      dtype: 'F32' as const,
      shape: [2],
      data: () => {
        read.push(name);
        return new Float32Array([1, 2]);
      },
    }));
    const chunks: Uint8Array[] = [];
    for await (const chunk of safetensorsChunks(lazy, { k: 'v' })) chunks.push(chunk);
    expect(read).toEqual(['a', 'b']);
    const joined = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const c of chunks) {
      joined.set(c, offset);
      offset += c.byteLength;
    }
    const eager = lazy.map((t) => ({ ...t, data: new Float32Array([1, 2]) }));
    expect(joined).toEqual(serializeSafetensors(eager, { k: 'v' }));
  });

  it('writes empty tensors and files without tensors', async () => {
    const { tensors } = await roundTrip([
      { name: 'e', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    ]);
    expect(tensors.get('e')!.bytes.byteLength).toBe(0);
    const empty = await roundTrip([]);
    expect(empty.header.tensors.size).toBe(0);
  });

  it('refuses bad input with typed errors naming the tensor', () => {
    const expectError = (run: () => unknown, pattern: RegExp) => {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as Error).message).toMatch(pattern);
    };
    const t = (over: Partial<SafetensorsTensor>): SafetensorsTensor => ({
      name: 'w',
      dtype: 'F32',
      shape: [2],
      data: new Float32Array(2),
      ...over,
    });
    expectError(() => serializeSafetensors([t({}), t({})]), /^planSafetensors: tensor w is given twice/);
    expectError(() => serializeSafetensors([t({ name: '__metadata__' })]), /^planSafetensors: tensor names/);
    expectError(
      () => serializeSafetensors([t({ shape: [-1] })]),
      /^planSafetensors: tensor w must have a shape/,
    );
    expectError(
      () => serializeSafetensors([t({ dtype: 'F64' as 'F32' })]),
      /^planSafetensors: tensor w must have dtype F32, F16, BF16, I32, got "F64"/,
    );
    expectError(
      () => serializeSafetensors([t({ data: new Float32Array(3) })]),
      /^encodeTensorValues: tensor w is F32 \(2\) = 2 elements, got 3 values/,
    );
    expectError(() => serializeSafetensors([t({ dtype: 'I32' })]), /I32 takes an Int32Array/);
    expectError(
      () => serializeSafetensors([t({}), t({ name: 'x' })], { n: 1 as unknown as string }),
      /metadata/,
    );
    expectError(() => encodeTensorValues(t({}), new Uint16Array(2)), /only F16\/BF16 take/);
  });

  it('random files round-trip exactly (fast-check)', async () => {
    const tensorArb = fc.record({
      dtype: fc.constantFrom('F32' as const, 'F16' as const, 'BF16' as const, 'I32' as const),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      seed: fc.integer(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), tensorArb), {
          selector: ([name]) => name,
          maxLength: 6,
        }),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
        async (entries, metadata) => {
          const tensors = entries
            .filter(([name]) => name !== '__metadata__')
            .map(([name, { dtype, shape, seed }]): SafetensorsTensor => {
              const numel = shape.reduce((a, b) => a * b, 1);
              const raw = new Uint8Array(numel * (dtype === 'F16' || dtype === 'BF16' ? 2 : 4));
              for (let i = 0; i < raw.length; i++) raw[i] = (seed + i * 131) & 0xff;
              return { name, dtype, shape, data: raw };
            });
          const { tensors: read, header } = await roundTrip(tensors, metadata);
          expect(header.metadata).toEqual(Object.keys(metadata).length > 0 ? metadata : {});
          for (const t of tensors) {
            expect(read.get(t.name)!.bytes).toEqual(t.data);
            expect(read.get(t.name)!.shape).toEqual(t.shape);
          }
          expect(planSafetensors(tensors, metadata).byteLength).toBe(
            serializeSafetensors(tensors, metadata).byteLength,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
