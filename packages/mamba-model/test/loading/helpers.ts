// Test helpers of the loading layer: fixture paths and a safetensors writer for malformed and
// re-arranged files (sharded checkpoints, wrong shapes, overlapping offsets).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture folder or file under test/fixtures. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

/** A fixture file's bytes. */
export function fixtureBytes(relative: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(fixturePath(relative)));
}

/** Raw file: 8-byte little-endian length (or `headerLength`), the header JSON, then `data`. */
export function rawSafetensors(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  const view = new DataView(out.buffer);
  const length = headerLength ?? json.byteLength;
  view.setUint32(0, length % 2 ** 32, true);
  view.setUint32(4, Math.floor(length / 2 ** 32), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

/** One tensor to write. */
export interface TensorToWrite {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** A well-formed safetensors file holding `tensors` back to back in the given order. */
export function buildSafetensors(tensors: TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const t of tensors) {
    data.set(t.data, offset);
    offset += t.data.byteLength;
  }
  return rawSafetensors(header, data);
}
