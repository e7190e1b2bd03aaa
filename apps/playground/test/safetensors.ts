// A few lines of safetensors reading for the test's expected ids (i32 tensors only): 8-byte
// little-endian header length, JSON header with `dtype`, `shape`, `data_offsets`, then the data.

import { readFileSync } from 'node:fs';

/** Reads an I32 tensor as rows of numbers. */
export function readI32Rows(path: string, name: string): number[][] {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const entry = header[name];
  if (entry?.dtype !== 'I32' || entry.shape.length !== 2) {
    throw new Error(`readI32Rows: ${path} must hold a 2-D I32 tensor ${name}, got ${JSON.stringify(entry)}`);
  }
  const [begin, end] = entry.data_offsets;
  const data = bytes.subarray(8 + headerLength + begin, 8 + headerLength + end);
  const values = Array.from({ length: data.byteLength / 4 }, (_, i) => data.readInt32LE(i * 4));
  const [rows, columns] = entry.shape as [number, number];
  return Array.from({ length: rows }, (_, r) => values.slice(r * columns, (r + 1) * columns));
}
