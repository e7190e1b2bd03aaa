// A minimal safetensors reader for the test fixtures (f32 and i32 tensors only):
// 8-byte little-endian header length, JSON header, then the raw data.
import { readFileSync } from 'node:fs';

export interface FixtureTensor {
  shape: number[];
  data: Float32Array;
}

export function readSafetensors(path: string): Record<string, FixtureTensor> {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLength;
  const out: Record<string, FixtureTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32')
      throw new Error(`readSafetensors: ${name} is ${entry.dtype}, only F32 is supported`);
    const [start, end] = entry.data_offsets;
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(base + start, base + end));
    out[name] = { shape: entry.shape, data: new Float32Array(copy.buffer) };
  }
  return out;
}
