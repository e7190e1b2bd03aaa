// A hardened safetensors reader over a ByteSource: reads and validates the header by the Rust
// crate's rules (length cap, strict JSON, dtype x shape = byte length, tensors tiling the data
// section with no gap, overlap or trailing byte), then reads tensors one at a time so the caller
// can upload each to the GPU and drop it.
// Format: 8-byte little-endian header length N, N bytes of JSON, then the data section.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import type { ByteSource } from './byte-source.js';
import { formatShape, SafetensorsError } from './errors.js';
import { describeJson, MAX_JSON_DEPTH, parseStrictJson, StrictJsonError } from './json.js';

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;

/** A dtype as spelled in a safetensors header. */
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The largest header accepted by default: 100 MB, the cap of the reference Rust implementation. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

/** One tensor as the header describes it. */
export interface SafetensorsEntry {
  /** Tensor name as stored (`backbone.layers.0.mixer.A_log`). */
  readonly name: string;
  /** The file (ByteSource name) that holds it. */
  readonly file: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute offset of the first byte in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  readonly file: string;
  /** Offset of the data section (8 + header length). */
  readonly dataOffset: number;
  /** Tensors by name, in header order. */
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  /** The `__metadata__` string map, empty when absent. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A tensor's raw little-endian bytes with its dtype and shape, ready to upload as they are. */
export interface TensorBytes {
  readonly name: string;
  readonly file: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Exactly `numel * bytesPerElement` bytes. May be a view (not 4-byte aligned): see `toU32Words`. */
  readonly bytes: Uint8Array;
}

/** Options of `readSafetensorsHeader`. */
export interface ReadHeaderOptions {
  /** Headers larger than this are refused; default `DEFAULT_MAX_HEADER_BYTES`. */
  maxHeaderBytes?: number;
}

function fail(
  message: string,
  reason: ConstructorParameters<typeof SafetensorsError>[1],
  file: string,
  tensor?: string,
  cause?: unknown,
): never {
  throw new SafetensorsError(message, reason, file, tensor, cause === undefined ? undefined : { cause });
}

/** Reads `length` bytes, turning any non-typed failure of the source into a typed `io` error. */
async function readExact(
  fn: string,
  source: ByteSource,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(offset, length);
  } catch (cause) {
    if (cause instanceof SafetensorsError) throw cause;
    fail(
      `${fn}: reading ${length} bytes at ${offset} of ${source.name} failed: ${String(cause)}`,
      'io',
      source.name,
      undefined,
      cause,
    );
  }
  if (bytes.byteLength !== length) {
    fail(
      `${fn}: expected ${length} bytes at offset ${offset} of ${source.name}, got ${bytes.byteLength}. ` +
        'The file is truncated: download it again.',
      'truncated',
      source.name,
    );
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Element count of a shape, or undefined when it is not a list of non-negative safe integers. */
function numelOf(shape: unknown): number | undefined {
  if (!Array.isArray(shape)) return undefined;
  let numel = 1;
  for (const dim of shape) {
    if (!isIndex(dim)) return undefined;
    numel *= dim;
    if (!Number.isSafeInteger(numel)) return undefined;
  }
  return numel;
}

/** A non-negative safe integer written as one (`NonIntegerNumber`s, such as `4.0`, are not). */
function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const FN = 'readSafetensorsHeader';

/** The header's JSON text, parsed strictly (see `parseStrictJson`) into its top-level object. */
function parseHeaderJson(json: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(json);
  } catch (cause) {
    fail(
      `${FN}: the header of ${file} must be UTF-8 JSON, got invalid UTF-8. The file is corrupt.`,
      'bad-header',
      file,
      undefined,
      cause,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseStrictJson(text, MAX_JSON_DEPTH);
  } catch (cause) {
    if (!(cause instanceof StrictJsonError)) throw cause;
    if (cause.problem === 'too-deep') {
      fail(
        `${FN}: the header of ${file} nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels ` +
          `(at character ${cause.offset}); a safetensors header needs 3. The file is corrupt or hostile.`,
        'too-deep',
        file,
        undefined,
        cause,
      );
    }
    if (cause.problem === 'duplicate-key') {
      fail(
        `${FN}: the header of ${file} repeats the key ${JSON.stringify(cause.key)} (at character ${cause.offset}); ` +
          'every key must appear once (JSON.parse would silently keep the last). The file is corrupt.',
        'duplicate-key',
        file,
        cause.key,
        cause,
      );
    }
    fail(
      `${FN}: the header of ${file} is not valid JSON (${cause.message}), got ${JSON.stringify(text.slice(0, 16))}... ` +
        'Is this a safetensors file?',
      'bad-header',
      file,
      undefined,
      cause,
    );
  }
  if (!isPlainObject(parsed)) {
    fail(
      `${FN}: the header of ${file} must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : describeJson(parsed)}`,
      'bad-header',
      file,
    );
  }
  return parsed;
}

/** The `__metadata__` entry: an object of strings, or null (the Rust crate's `Option`). */
function readMetadata(raw: unknown, file: string): Record<string, string> {
  if (raw === null) return {};
  if (!isPlainObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    fail(
      `${FN}: __metadata__ in ${file} must be an object of strings (or null), got ${describeJson(raw)}`,
      'bad-header',
      file,
    );
  }
  return { ...(raw as Record<string, string>) };
}

/** One tensor entry, checked on its own: dtype, shape, offsets, byte length, inside the file. */
function readEntry(name: string, raw: unknown, file: string, dataOffset: number, dataSize: number) {
  if (!isPlainObject(raw)) {
    fail(
      `${FN}: entry ${name} in ${file} must be an object {dtype, shape, data_offsets}, got ${describeJson(raw)}`,
      'bad-entry',
      file,
      name,
    );
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_BYTES, dtype)) {
    fail(
      `${FN}: tensor ${name} in ${file} has dtype ${describeJson(dtype)}, expected one of ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')}`,
      'unknown-dtype',
      file,
      name,
    );
  }
  const numel = numelOf(shape);
  if (numel === undefined) {
    fail(
      `${FN}: tensor ${name} in ${file} must have a shape of non-negative integers (no fraction or exponent), got ${describeJson(shape)}`,
      'bad-entry',
      file,
      name,
    );
  }
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
  if (!isIndex(begin) || !isIndex(end) || begin > end) {
    fail(
      `${FN}: tensor ${name} in ${file} must have data_offsets [begin, end] of integers with 0 <= begin <= end, got ${describeJson(offsets)}`,
      'bad-entry',
      file,
      name,
    );
  }
  const typedDtype = dtype as SafetensorsDtype;
  const expectedBytes = numel * SAFETENSORS_DTYPE_BYTES[typedDtype];
  const typedShape = shape as number[];
  if (end - begin !== expectedBytes) {
    fail(
      `${FN}: tensor ${name} in ${file} is ${dtype} ${formatShape(typedShape)}, so it needs ${expectedBytes} bytes, ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}. The file is corrupt.`,
      'byte-length',
      file,
      name,
    );
  }
  if (end > dataSize) {
    fail(
      `${FN}: tensor ${name} in ${file} ends at data offset ${end}, past the data section (${Math.max(dataSize, 0)} bytes). ` +
        'The file is truncated: download it again.',
      'offset-out-of-file',
      file,
      name,
    );
  }
  const entry: SafetensorsEntry = {
    name,
    file,
    dtype: typedDtype,
    shape: Object.freeze([...typedShape]),
    byteOffset: dataOffset + begin,
    byteLength: expectedBytes,
  };
  return entry;
}

/**
 * The Rust crate's layout rule: sorted by (begin, end), the tensors tile the data section exactly.
 * The first starts at 0, each starts where the previous ended (no gap, no overlap, an empty tensor
 * included: one inside another overlaps it), and the last ends at the end of the file.
 */
function checkLayout(
  tensors: Iterable<SafetensorsEntry>,
  file: string,
  dataOffset: number,
  dataSize: number,
) {
  const sorted = [...tensors].sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  const span = (t: SafetensorsEntry) =>
    `bytes ${t.byteOffset - dataOffset}..${t.byteOffset - dataOffset + t.byteLength}`;
  let expected = 0;
  let previous: SafetensorsEntry | undefined;
  for (const current of sorted) {
    const begin = current.byteOffset - dataOffset;
    if (begin < expected) {
      fail(
        `${FN}: tensor ${current.name} in ${file} (${span(current)}) overlaps tensor ${previous!.name} (${span(previous!)}). The file is corrupt.`,
        'overlap',
        file,
        current.name,
      );
    }
    if (begin > expected) {
      fail(
        `${FN}: tensor ${current.name} in ${file} starts at data offset ${begin}, expected ${expected} ` +
          `(${previous === undefined ? 'the first tensor must start at 0' : `where ${previous.name} ends`}): ` +
          'safetensors data has no gaps. The file is corrupt.',
        'gap',
        file,
        current.name,
      );
    }
    expected = begin + current.byteLength;
    previous = current;
  }
  if (expected !== dataSize) {
    fail(
      `${FN}: ${file} has ${dataSize - expected} bytes after the last tensor (its data section is ${dataSize} bytes, ` +
        `the tensors end at ${expected}): safetensors files end with their last tensor. The file is corrupt.`,
      'trailing-bytes',
      file,
    );
  }
}

/**
 * Parses and validates a safetensors header from its raw bytes (the JSON only, without the
 * 8-byte length prefix). `fileSize` is the size of the whole file. The rules are the Rust
 * `safetensors` crate's: strict JSON (no repeated key, nesting <= 128, integers written as
 * integers), `__metadata__` an object of strings or null, every tensor's dtype x shape = its byte
 * length, and the tensors tiling the data section with no gap, overlap or trailing byte.
 */
export function parseSafetensorsHeader(json: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataOffset = 8 + json.byteLength;
  const dataSize = fileSize - dataOffset;
  const parsed = parseHeaderJson(json, file);
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (name === '__metadata__') metadata = readMetadata(raw, file);
    else tensors.set(name, readEntry(name, raw, file, dataOffset, dataSize));
  }
  checkLayout(tensors.values(), file, dataOffset, dataSize);
  return { file, dataOffset, tensors, metadata };
}

/** Reads and validates the header of a safetensors file. Reads only the header bytes. */
export async function readSafetensorsHeader(
  source: ByteSource,
  options: ReadHeaderOptions = {},
): Promise<SafetensorsHeader> {
  const fn = 'readSafetensorsHeader';
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < 2) {
    throw new InvalidArgumentError(
      `${fn}: maxHeaderBytes must be an integer >= 2 (bytes), got ${String(maxHeaderBytes)}`,
      'maxHeaderBytes',
    );
  }
  if (source.size < 8) {
    fail(
      `${fn}: ${source.name} is ${source.size} bytes, shorter than the 8-byte header length. The file is truncated: download it again.`,
      'truncated',
      source.name,
    );
  }
  const prefix = await readExact(fn, source, 0, 8);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > maxHeaderBytes) {
    fail(
      `${fn}: the header of ${source.name} claims ${headerLength} bytes, over the cap of ${maxHeaderBytes}. The file is corrupt or not safetensors.`,
      'header-too-large',
      source.name,
    );
  }
  if (8 + headerLength > source.size) {
    fail(
      `${fn}: the header of ${source.name} claims ${headerLength} bytes but the file has only ${source.size - 8} after the length. The file is truncated: download it again.`,
      'truncated',
      source.name,
    );
  }
  if (headerLength < 2) {
    fail(
      `${fn}: the header of ${source.name} must be a JSON object (at least 2 bytes), got ${headerLength} bytes`,
      'bad-header',
      source.name,
    );
  }
  const json = await readExact(fn, source, 8, headerLength);
  return parseSafetensorsHeader(json, source.size, source.name);
}

/**
 * Reads one tensor's raw bytes (little-endian, as stored) with its dtype and shape. F16/BF16 come
 * back packed, two per 4 bytes, ready for the GPU to unpack; use `decodeToFloat32` on the CPU.
 */
export async function readTensorBytes(source: ByteSource, entry: SafetensorsEntry): Promise<TensorBytes> {
  const bytes = await readExact('readTensorBytes', source, entry.byteOffset, entry.byteLength).catch(
    (error: unknown) => {
      if (error instanceof SafetensorsError && error.tensor === undefined) {
        throw new SafetensorsError(
          `${error.message} (while reading tensor ${entry.name})`,
          error.reason,
          error.file,
          entry.name,
          { cause: error },
        );
      }
      throw error;
    },
  );
  return { name: entry.name, file: entry.file, dtype: entry.dtype, shape: entry.shape, bytes };
}

/** Reads a whole (small) safetensors file into a map of tensors: fixtures and oracle data. */
export async function readAllTensors(
  source: ByteSource,
  options: ReadHeaderOptions = {},
): Promise<Map<string, TensorBytes>> {
  const header = await readSafetensorsHeader(source, options);
  const out = new Map<string, TensorBytes>();
  for (const entry of header.tensors.values()) out.set(entry.name, await readTensorBytes(source, entry));
  return out;
}

/**
 * The tensor's bytes as 32-bit words for a GPU upload: f32/i32/u32 one per word; f16/bf16 two per
 * word (element 2k in the low half, little-endian), the last word zero-padded for an odd count.
 * Zero-copy when the bytes are already 4-byte aligned and a multiple of 4 long.
 */
export function toU32Words(tensor: Pick<TensorBytes, 'bytes'>): Uint32Array {
  const { bytes } = tensor;
  if (bytes.byteOffset % 4 === 0 && bytes.byteLength % 4 === 0) {
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  const words = new Uint32Array(Math.ceil(bytes.byteLength / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/** Decodes one IEEE half-precision value. */
export function f16ToF32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Decodes an F32, F16, BF16 or F64 (rounded to f32) tensor to a Float32Array. */
export function decodeToFloat32(
  tensor: Pick<TensorBytes, 'bytes' | 'dtype' | 'name' | 'file'>,
): Float32Array {
  const { bytes, dtype } = tensor;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (dtype === 'F64') {
    const out = new Float32Array(bytes.byteLength / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
    return out;
  }
  if (dtype === 'BF16') {
    const out = new Float32Array(bytes.byteLength / 2);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
    return out;
  }
  if (dtype === 'F16') {
    const out = new Float32Array(bytes.byteLength / 2);
    for (let i = 0; i < out.length; i++) out[i] = f16ToF32(view.getUint16(i * 2, true));
    return out;
  }
  throw new SafetensorsError(
    `decodeToFloat32: tensor ${tensor.name} in ${tensor.file} must be F32, F16, BF16 or F64, got ${dtype}`,
    'unsupported-dtype',
    tensor.file,
    tensor.name,
  );
}

/** Decodes an I32 tensor (token ids in oracle files) to an Int32Array. */
export function decodeToInt32(tensor: Pick<TensorBytes, 'bytes' | 'dtype' | 'name' | 'file'>): Int32Array {
  if (tensor.dtype !== 'I32') {
    throw new SafetensorsError(
      `decodeToInt32: tensor ${tensor.name} in ${tensor.file} must be I32, got ${tensor.dtype}`,
      'unsupported-dtype',
      tensor.file,
      tensor.name,
    );
  }
  const { bytes } = tensor;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}
