// Tensor: a shaped, typed view of GPU memory owned by a GpuContext. Storage is reference-counted
// so reshapes share memory; `dispose()` (or `using`) returns the buffer to the pool, and any use
// after that throws DisposedError.

import type { GpuContext } from '../device/context.js';
import { DisposedError, DTypeError, ShapeError, formatShape } from '../errors.js';
import { type DType, type HostArray, byteLength, isPacked16, packHalves, unpackHalves } from './dtype.js';

/** Reference-counted GPU storage shared by a tensor and its reshaped views. */
class Storage {
  refs = 1;
  constructor(
    readonly ctx: GpuContext,
    readonly buffer: GPUBuffer,
    readonly pooled: boolean,
  ) {}
  release(): void {
    if (--this.refs === 0) {
      if (this.pooled) this.ctx.pool.release(this.buffer);
      else this.ctx.pool.destroyExact(this.buffer);
    }
  }
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(caller: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(
      `${caller}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
}

export class Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly numel: number;
  readonly label: string;
  private storage: Storage | undefined;

  /** @internal Use `Tensor.empty`, `Tensor.fromArray`, `zeros`... */
  constructor(storage: Storage, shape: readonly number[], dtype: D, label: string) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.numel = numelOf(shape);
    this.label = label;
  }

  /** A tensor with undefined contents. */
  static empty<D extends DType>(
    ctx: GpuContext,
    shape: readonly number[],
    dtype: D,
    label = 'tensor',
  ): Tensor<D> {
    checkShape('Tensor.empty', shape);
    ctx.assertUsable('Tensor.empty');
    const bytes = Math.max(4, byteLength(dtype, numelOf(shape)));
    if (bytes > ctx.limits.maxBufferSize) {
      throw new ShapeError(
        `Tensor.empty: ${formatShape(shape)} ${dtype} needs ${bytes} bytes, over this adapter's maxBufferSize ${ctx.limits.maxBufferSize}`,
      );
    }
    // Large tensors (weights) get exact-size buffers: size classes would waste up to 12.5%.
    const exact = bytes >= 64 << 20;
    const buffer = exact ? ctx.pool.createExact(bytes, label) : ctx.pool.acquire(bytes, label);
    return new Tensor(new Storage(ctx, buffer, !exact), shape, dtype, label);
  }

  /**
   * Uploads host data. For `f16`/`bf16`, `data` holds f32 values (rounded on upload) unless it is a
   * Uint16Array of raw 16-bit patterns (as read from a checkpoint).
   */
  static fromArray<D extends DType>(
    ctx: GpuContext,
    data: ArrayLike<number> | ArrayBufferView,
    shape: readonly number[],
    dtype: D,
    label = 'tensor',
  ): Tensor<D> {
    checkShape('Tensor.fromArray', shape);
    const numel = numelOf(shape);
    const length = (data as ArrayLike<number>).length;
    if (length !== numel) {
      throw new ShapeError(`Tensor.fromArray: ${formatShape(shape)} needs ${numel} values, got ${length}`);
    }
    const t = Tensor.empty(ctx, shape, dtype, label);
    if (numel > 0) t.write(data);
    return t;
  }

  /** Overwrites the whole tensor with host data (same rules as `fromArray`). */
  write(data: ArrayLike<number> | ArrayBufferView): void {
    const storage = this.live('write');
    let bytes: ArrayBufferView;
    if (isPacked16(this.dtype)) {
      if (data instanceof Uint16Array) {
        const padded = new Uint16Array(Math.ceil(data.length / 2) * 2);
        padded.set(data);
        bytes = padded;
      } else {
        bytes = packHalves(data as ArrayLike<number>, this.dtype as 'f16' | 'bf16');
      }
    } else if (this.dtype === 'f32')
      bytes = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    else if (this.dtype === 'i32')
      bytes = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
    else bytes = data instanceof Uint32Array ? data : Uint32Array.from(data as ArrayLike<number>);
    if (bytes.byteLength !== byteLength(this.dtype, this.numel)) {
      throw new ShapeError(
        `Tensor.write(${this.label}): expected ${this.numel} values for ${formatShape(this.shape)}, got ${(data as ArrayLike<number>).length}`,
      );
    }
    storage.ctx.writeBuffer(storage.buffer, 0, bytes);
  }

  /** Downloads the contents; packed 16-bit types come back as f32. */
  async read(): Promise<HostArray<D>> {
    const storage = this.live('read');
    if (this.numel === 0)
      return (
        this.dtype === 'i32'
          ? new Int32Array(0)
          : this.dtype === 'u32'
            ? new Uint32Array(0)
            : new Float32Array(0)
      ) as HostArray<D>;
    const bytes = await storage.ctx.readBuffer(storage.buffer, 0, byteLength(this.dtype, this.numel));
    switch (this.dtype) {
      case 'f32':
        return new Float32Array(bytes) as HostArray<D>;
      case 'i32':
        return new Int32Array(bytes) as HostArray<D>;
      case 'u32':
        return new Uint32Array(bytes) as HostArray<D>;
      default:
        return unpackHalves(new Uint32Array(bytes), this.numel, this.dtype as 'f16' | 'bf16') as HostArray<D>;
    }
  }

  /** Fills every byte with a poison pattern (f32 NaN) so unwritten outputs are caught in tests. */
  poison(): this {
    const storage = this.live('poison');
    const words = new Uint32Array(storage.buffer.size / 4).fill(0x7fc00bad);
    storage.ctx.writeBuffer(storage.buffer, 0, words);
    return this;
  }

  /** A tensor with a new shape sharing this one's memory (both must be disposed). */
  reshape(shape: readonly number[]): Tensor<D> {
    const storage = this.live('reshape');
    checkShape('Tensor.reshape', shape);
    if (numelOf(shape) !== this.numel) {
      throw new ShapeError(`Tensor.reshape: cannot view ${formatShape(this.shape)} as ${formatShape(shape)}`);
    }
    storage.refs++;
    return new Tensor(storage, shape, this.dtype, this.label);
  }

  /** The GPU buffer (throws if disposed). It may be larger than `byteLength`. */
  get buffer(): GPUBuffer {
    return this.live('buffer').buffer;
  }

  get ctx(): GpuContext {
    return this.live('ctx').ctx;
  }

  /** Bytes holding the elements (packed types: two per u32). */
  get byteLength(): number {
    return byteLength(this.dtype, this.numel);
  }

  get isDisposed(): boolean {
    return this.storage === undefined;
  }

  /** Releases the memory (to the pool). Idempotent. */
  dispose(): void {
    this.storage?.release();
    this.storage = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Throws unless this tensor's dtype is one of `dtypes`. */
  expectDType(caller: string, name: string, ...dtypes: DType[]): void {
    if (!dtypes.includes(this.dtype)) {
      throw new DTypeError(`${caller}: ${name} must be ${dtypes.join(' or ')}, got ${this.dtype}`);
    }
  }

  /** Throws ShapeError unless the shape equals `expected` (`-1` matches any size). */
  expectShape(caller: string, name: string, expected: readonly number[], legend?: string): void {
    const ok =
      expected.length === this.shape.length && expected.every((d, i) => d === -1 || d === this.shape[i]);
    if (!ok) {
      const want = formatShape(expected.map((d) => (d === -1 ? '*' : d)) as unknown as number[]);
      throw new ShapeError(
        `${caller}: ${name} must be ${legend ? `${legend} = ` : ''}${want}, got ${formatShape(this.shape)}`,
      );
    }
  }

  private live(caller: string): Storage {
    if (!this.storage) throw new DisposedError(`Tensor.${caller}: tensor '${this.label}' was disposed`);
    return this.storage;
  }
}

/** A zero-filled tensor. */
export function zeros<D extends DType>(
  ctx: GpuContext,
  shape: readonly number[],
  dtype: D,
  label = 'zeros',
): Tensor<D> {
  const t = Tensor.empty(ctx, shape, dtype, label);
  ctx.writeBuffer(t.buffer, 0, new Uint8Array(Math.ceil(Math.max(4, t.byteLength) / 4) * 4));
  return t;
}

/** Disposes every tensor given (skips undefined). */
export function disposeAll(...tensors: (Tensor | undefined | null)[]): void {
  for (const t of tensors) t?.dispose();
}
