// The safetensors writer, the reader's counterpart (platform-neutral: bytes in, bytes out). Lays
// out a header as the reference writer does (8-byte little-endian length, compact JSON with
// `__metadata__` first, padded with spaces so the data starts on an 8-byte boundary), then the
// tensors back to back with no holes, which readers require.

import { SafetensorsError } from './errors.js';
import { f32ToBf16Bits, f32ToF16Bits } from '@mamba-webgpu/tensor/internal';
import { SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from './safetensors.js';
import { describeJson } from './json.js';

/** The dtypes the writer encodes. */
export type WritableDtype = Extract<SafetensorsDtype, 'F32' | 'F16' | 'BF16' | 'I32'>;

const WRITABLE: readonly WritableDtype[] = ['F32', 'F16', 'BF16', 'I32'];

/** Dtype order in the file: the reference writer's (descending dtype enum), so alignment holds. */
const FILE_RANK: Readonly<Record<WritableDtype, number>> = { F32: 0, I32: 1, BF16: 2, F16: 3 };

/**
 * A tensor's values: floats (rounded to nearest even for F16/BF16), an Int32Array for I32, a
 * Uint16Array of raw 16-bit patterns for F16/BF16, or a Uint8Array of the exact stored bytes.
 */
export type TensorValues = Float32Array | Float64Array | Int32Array | Uint16Array | Uint8Array;

/** One tensor to write: name, dtype and shape; its values come separately or lazily. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
}

/** A tensor with its values, for `serializeSafetensors`. */
export interface SafetensorsTensor extends SafetensorsTensorInfo {
  readonly data: TensorValues;
}

/** A tensor whose values are produced when the writer reaches it (a GPU read, a decode). */
export interface LazySafetensorsTensor extends SafetensorsTensorInfo {
  readonly data: () => TensorValues | Promise<TensorValues>;
}

/** Where each tensor lands: the output of `planSafetensors`. */
export interface SafetensorsPlan {
  /** The 8-byte length, the JSON and its padding: the file's first `header.byteLength` bytes. */
  readonly header: Uint8Array;
  /** Tensors in file order (the reference writer's: larger elements first, then by name). */
  readonly order: readonly (SafetensorsTensorInfo & { readonly begin: number; readonly end: number })[];
  /** Bytes of the whole file. */
  readonly byteLength: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function invalid(message: string, tensor?: string): never {
  throw new SafetensorsError(message, 'bad-entry', 'safetensors writer', tensor);
}

function numelOf(fn: string, info: SafetensorsTensorInfo): number {
  let numel = 1;
  for (const dim of info.shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      invalid(
        `${fn}: tensor ${info.name} must have a shape of non-negative integers, got ${describeJson(info.shape)}`,
        info.name,
      );
    }
    numel *= dim;
  }
  return numel;
}

/**
 * The header and data layout of a file holding `tensors` and string `metadata`. Tensors are
 * ordered as safetensors' reference writer orders them (element size descending, then name), so
 * each starts aligned to its element size; within one dtype that is plain name order.
 * @throws SafetensorsError (`bad-entry`) for a duplicate or empty name, a bad shape or dtype, or
 *   non-string metadata.
 */
export function planSafetensors(
  tensors: readonly SafetensorsTensorInfo[],
  metadata?: Readonly<Record<string, string>>,
): SafetensorsPlan {
  const fn = 'planSafetensors';
  const names = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name === '' || t.name === '__metadata__') {
      invalid(
        `${fn}: tensor names must be non-empty strings other than __metadata__, got ${describeJson(t.name)}`,
      );
    }
    if (names.has(t.name)) invalid(`${fn}: tensor ${t.name} is given twice`, t.name);
    names.add(t.name);
    if (!WRITABLE.includes(t.dtype)) {
      invalid(
        `${fn}: tensor ${t.name} must have dtype ${WRITABLE.join(', ')}, got ${describeJson(t.dtype)}`,
        t.name,
      );
    }
  }
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value !== 'string') {
      invalid(`${fn}: __metadata__ values must be strings, got ${key} = ${describeJson(value)}`);
    }
  }
  const sorted = [...tensors].sort(
    (a, b) => FILE_RANK[a.dtype] - FILE_RANK[b.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const json: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) json.__metadata__ = { ...metadata };
  const order: (SafetensorsTensorInfo & { begin: number; end: number })[] = [];
  let offset = 0;
  for (const t of sorted) {
    const end = offset + numelOf(fn, t) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] };
    order.push({ name: t.name, dtype: t.dtype, shape: t.shape, begin: offset, end });
    offset = end;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.byteLength / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + text.byteLength);
  const view = new DataView(header.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  header.set(text, 8);
  return { header, order, byteLength: header.byteLength + offset };
}

/**
 * The stored little-endian bytes of one tensor's values.
 * @throws SafetensorsError (`byte-length`) when the values do not match dtype x shape.
 */
export function encodeTensorValues(info: SafetensorsTensorInfo, data: TensorValues): Uint8Array {
  const fn = 'encodeTensorValues';
  const numel = numelOf(fn, info);
  const bytes = numel * SAFETENSORS_DTYPE_BYTES[info.dtype];
  const mismatch = (what: string) =>
    new SafetensorsError(
      `${fn}: tensor ${info.name} is ${info.dtype} (${info.shape.join(', ')}) = ${numel} elements, got ${what}`,
      'byte-length',
      'safetensors writer',
      info.name,
    );
  if (data instanceof Uint8Array) {
    if (data.byteLength !== bytes) throw mismatch(`${data.byteLength} raw bytes (expected ${bytes})`);
    return data;
  }
  if (data.length !== numel) throw mismatch(`${data.length} values`);
  const isHalf = info.dtype === 'F16' || info.dtype === 'BF16';
  if (data instanceof Uint16Array) {
    if (!isHalf) throw mismatch('raw 16-bit patterns (Uint16Array), which only F16/BF16 take');
    return leBytes(data, 2);
  }
  if (info.dtype === 'I32') {
    if (!(data instanceof Int32Array)) throw mismatch(`a ${data.constructor.name} (I32 takes an Int32Array)`);
    return leBytes(data, 4);
  }
  if (data instanceof Int32Array) throw mismatch(`an Int32Array (${info.dtype} takes floats)`);
  if (info.dtype === 'F32') return leBytes(data instanceof Float32Array ? data : Float32Array.from(data), 4);
  const toBits = info.dtype === 'F16' ? f32ToF16Bits : f32ToBf16Bits;
  const halves = new Uint16Array(numel);
  for (let i = 0; i < numel; i++) halves[i] = toBits(data[i]!);
  return leBytes(halves, 2);
}

/** A typed array's elements as little-endian bytes (a copy). */
function leBytes(data: Float32Array | Int32Array | Uint16Array, size: 2 | 4): Uint8Array {
  const out = new Uint8Array(data.length * size);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i]!, true);
    else view.setUint16(i * 2, data[i]!, true);
  }
  return out;
}

/**
 * The file as a sequence of byte chunks: the header, then each tensor in file order, its values
 * produced only when reached (so a writer holds one tensor at a time). Works in any JS runtime:
 * write the chunks to a file, or make a `Blob` of them in a browser.
 */
export async function* safetensorsChunks(
  tensors: readonly LazySafetensorsTensor[],
  metadata?: Readonly<Record<string, string>>,
): AsyncGenerator<Uint8Array> {
  const plan = planSafetensors(tensors, metadata);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  yield plan.header;
  for (const entry of plan.order) {
    const tensor = byName.get(entry.name)!;
    yield encodeTensorValues(entry, await tensor.data());
  }
}

/** A whole safetensors file in memory (small files: optimizer state of small models, tests). */
export function serializeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const plan = planSafetensors(tensors, metadata);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const out = new Uint8Array(plan.byteLength);
  out.set(plan.header, 0);
  for (const entry of plan.order) {
    out.set(encodeTensorValues(entry, byName.get(entry.name)!.data), plan.header.byteLength + entry.begin);
  }
  return out;
}
