// Tensor: a shaped, typed, possibly strided view of GPU memory owned by a GpuContext. Storage is
// reference-counted so reshapes and views share memory (a view keeps its base's buffer alive until
// both are disposed); `dispose()` (or `using`) returns the buffer to the pool when the last
// holder lets go, and any use after that throws DisposedError.

import type { GpuContext } from '../device/context.js';
import { describeValue } from '../describe-value.js';
import { DisposedError, DTypeError, formatShape, LayoutError, ShapeError } from '../errors.js';
import {
  type DType,
  type HostArray,
  byteLength,
  isPacked16,
  isQuantized,
  packHalves,
  storageUnit,
  unpackHalves,
} from './dtype.js';
import { dequantize, quantize } from './quant.js';
import {
  type Layout,
  checkView,
  contiguousStrides,
  gatherLayout,
  isContiguousLayout,
  layoutExtent,
  sliceLayout,
  transposeLayout,
} from './layout.js';

/** Reference-counted GPU storage shared by a tensor, its reshapes and its views. */
class Storage {
  refs = 1;
  constructor(
    readonly ctx: GpuContext,
    readonly buffer: GPUBuffer,
    /** Elements allocated (the buffer may be larger): the bound every view is checked against. */
    readonly elements: number,
  ) {}
  release(): void {
    if (--this.refs === 0) {
      this.ctx.pool.release(this.buffer);
    }
  }
}

/** The byte offset of element `offset` (at a storage unit's start) in a buffer of `dtype`. */
function byteOffset(dtype: DType, offset: number): number {
  const unit = storageUnit(dtype);
  return (offset / unit.elements) * unit.bytes;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(caller: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(
      `${caller}: shape must be an array of non-negative integers, got ${describeValue(shape)}`,
    );
  }
}

export class Tensor<D extends DType = DType> implements Layout {
  readonly shape: readonly number[];
  /** Element strides per dim (row-major for a tensor that is not a view). */
  readonly strides: readonly number[];
  /** Index of element (0, ...) in the buffer, in elements. */
  readonly offset: number;
  readonly dtype: D;
  readonly numel: number;
  readonly label: string;
  /** Row-major contiguous (the offset may be non-zero, e.g. a slice of rows). */
  readonly isContiguous: boolean;
  private storage: Storage | undefined;

  /** @internal Use `Tensor.empty`, `Tensor.fromArray`, `zeros`, `view`... */
  constructor(
    storage: Storage,
    shape: readonly number[],
    dtype: D,
    label: string,
    layout?: { strides: readonly number[]; offset: number },
  ) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(layout ? [...layout.strides] : contiguousStrides(shape));
    this.offset = layout?.offset ?? 0;
    this.dtype = dtype;
    this.numel = numelOf(shape);
    this.label = label;
    this.isContiguous = isContiguousLayout(this);
  }

  /** Contiguous and starting at element 0: what kernels that take plain buffers need. */
  get isPlain(): boolean {
    return this.isContiguous && this.offset === 0;
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
    // Pooled: large sizes round up to whole MiB (see sizeClass), so reuse wastes at most 1.6%.
    const buffer = ctx.pool.acquire(bytes, label);
    return new Tensor(new Storage(ctx, buffer, numelOf(shape)), shape, dtype, label);
  }

  /**
   * Uploads host data. For `f16`/`bf16`, `data` holds f32 values (rounded on upload) unless it is a
   * Uint16Array of raw 16-bit patterns (as read from a checkpoint). For `q8`/`q4`, f32 values
   * quantized on upload (blocks of QUANT_BLOCK elements, see quant.ts).
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

  /**
   * Uploads already quantized blocks (the words `quantize` returns, see quant.ts) as a q8/q4
   * tensor of `shape`: for weights quantized elsewhere (a cache, random blocks for benchmarks).
   */
  static fromBlocks(
    ctx: GpuContext,
    words: Uint32Array,
    shape: readonly number[],
    dtype: 'q8' | 'q4',
    label = 'tensor',
  ): Tensor<'q8' | 'q4'> {
    checkShape('Tensor.fromBlocks', shape);
    const bytes = byteLength(dtype, numelOf(shape));
    if (words.byteLength !== bytes) {
      throw new ShapeError(
        `Tensor.fromBlocks: ${formatShape(shape)} ${dtype} is ${bytes / 4} words of blocks, got ${words.length}`,
      );
    }
    const t = Tensor.empty(ctx, shape, dtype, label);
    if (bytes > 0) ctx.writeBuffer(t.buffer, 0, words);
    return t;
  }

  /** Overwrites the whole tensor with host data (same rules as `fromArray`). */
  write(data: ArrayLike<number> | ArrayBufferView): void {
    const storage = this.live('write');
    const unit = storageUnit(this.dtype).elements;
    if (!this.isContiguous || this.offset % unit !== 0) {
      throw new LayoutError(
        `Tensor.write(${this.label}): the tensor is a strided view${unit > 1 ? ` or does not start on a ${unit}-element ${this.dtype} unit` : ''}; write its contiguous base`,
      );
    }
    let bytes: ArrayBufferView;
    if (isQuantized(this.dtype)) {
      bytes = quantize(data as ArrayLike<number>, this.dtype, `Tensor.write(${this.label})`);
    } else if (isPacked16(this.dtype)) {
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
    storage.ctx.writeBuffer(storage.buffer, byteOffset(this.dtype, this.offset), bytes);
  }

  /** Downloads the contents; packed 16-bit and quantized types come back as f32 (dequantized). */
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
    if (!this.isPlain) return this.readView(storage);
    const bytes = await storage.ctx.readBuffer(storage.buffer, 0, byteLength(this.dtype, this.numel));
    switch (this.dtype) {
      case 'f32':
        return new Float32Array(bytes) as HostArray<D>;
      case 'i32':
        return new Int32Array(bytes) as HostArray<D>;
      case 'u32':
        return new Uint32Array(bytes) as HostArray<D>;
      case 'q8':
      case 'q4':
        return dequantize(new Uint32Array(bytes), this.numel, this.dtype) as HostArray<D>;
      default:
        return unpackHalves(new Uint32Array(bytes), this.numel, this.dtype as 'f16' | 'bf16') as HostArray<D>;
    }
  }

  /** Reads a view: the span it covers, gathered on the host. */
  private async readView(storage: Storage): Promise<HostArray<D>> {
    const extent = layoutExtent(this);
    if (isQuantized(this.dtype)) {
      const bytes = await storage.ctx.readBuffer(storage.buffer, 0, byteLength(this.dtype, extent));
      return gatherLayout(dequantize(new Uint32Array(bytes), extent, this.dtype), this) as HostArray<D>;
    }
    if (isPacked16(this.dtype)) {
      const bytes = await storage.ctx.readBuffer(storage.buffer, 0, byteLength(this.dtype, extent));
      const all = unpackHalves(new Uint32Array(bytes), extent, this.dtype as 'f16' | 'bf16');
      return gatherLayout(all, this) as HostArray<D>;
    }
    // Read whole 4-byte elements from the first one touched (offsets of 4-byte types are aligned).
    const bytes = await storage.ctx.readBuffer(storage.buffer, this.offset * 4, (extent - this.offset) * 4);
    const layout = { shape: this.shape, strides: this.strides, offset: 0 };
    const source =
      this.dtype === 'f32'
        ? new Float32Array(bytes)
        : this.dtype === 'i32'
          ? new Int32Array(bytes)
          : new Uint32Array(bytes);
    return gatherLayout(source, layout) as HostArray<D>;
  }

  /** Fills every byte with a poison pattern (f32 NaN) so unwritten outputs are caught in tests. */
  poison(): this {
    const storage = this.live('poison');
    if (!this.isPlain) throw new LayoutError(`Tensor.poison(${this.label}): poison the base, not a view`);
    const words = new Uint32Array(storage.buffer.size / 4).fill(0x7fc00bad);
    storage.ctx.writeBuffer(storage.buffer, 0, words);
    return this;
  }

  /**
   * A tensor with a new shape sharing this one's memory (both must be disposed). Needs a
   * contiguous tensor: reshape a strided view's `contiguous()` copy instead.
   */
  reshape(shape: readonly number[]): Tensor<D> {
    const storage = this.live('reshape');
    checkShape('Tensor.reshape', shape);
    if (numelOf(shape) !== this.numel) {
      throw new ShapeError(`Tensor.reshape: cannot view ${formatShape(this.shape)} as ${formatShape(shape)}`);
    }
    if (!this.isContiguous) {
      throw new LayoutError(
        `Tensor.reshape(${this.label}): ${formatShape(this.shape)} strides ${formatShape(this.strides)} is not contiguous; reshape contiguous(x) instead`,
      );
    }
    storage.refs++;
    return new Tensor(storage, shape, this.dtype, this.label, {
      strides: contiguousStrides(shape),
      offset: this.offset,
    });
  }

  /**
   * A strided view sharing this tensor's buffer: element (i0, i1, ...) is buffer element
   * `this.offset + offset + sum(i_k * strides[k])` (strides in elements of the buffer, offset
   * relative to this tensor's own). The view holds a reference on the buffer: dispose both (the
   * memory returns to the pool when the last one is disposed). Packed f16/bf16 views must be
   * contiguous and start on an even element; quantized (q8/q4) views may have any layout (kernels
   * read them element by element through their loaders).
   */
  view(layout: { shape: readonly number[]; strides: readonly number[]; offset?: number }): Tensor<D> {
    const storage = this.live('view');
    const absolute = {
      shape: layout.shape,
      strides: layout.strides,
      offset: this.offset + (layout.offset ?? 0),
    };
    checkView(`Tensor.view(${this.label})`, absolute, this.bufferElements(storage));
    return this.makeView(storage, 'view', absolute);
  }

  /** A view with dims `a` and `b` swapped (no copy). */
  transpose(a: number, b: number): Tensor<D> {
    const storage = this.live('transpose');
    return this.makeView(
      storage,
      'transpose',
      transposeLayout(`Tensor.transpose(${this.label})`, this, a, b),
    );
  }

  /** A view of indices [start, end) along `dim` (no copy). */
  slice(dim: number, start: number, end: number): Tensor<D> {
    const storage = this.live('slice');
    return this.makeView(storage, 'slice', sliceLayout(`Tensor.slice(${this.label})`, this, dim, start, end));
  }

  private makeView(storage: Storage, caller: string, layout: Layout): Tensor<D> {
    if (isPacked16(this.dtype) && (!isContiguousLayout(layout) || layout.offset % 2 !== 0)) {
      throw new DTypeError(
        `Tensor.${caller}(${this.label}): a ${this.dtype} view must be contiguous and start on an even element (two per u32); view an f32 copy instead`,
      );
    }
    storage.refs++;
    return new Tensor(storage, layout.shape, this.dtype, this.label, layout);
  }

  /** Elements of the allocation a view may reach. */
  private bufferElements(storage: Storage): number {
    return storage.elements;
  }

  /**
   * The GPU buffer (throws if disposed). It may be larger than `byteLength`. Throws LayoutError
   * for a view that is not contiguous from element 0: kernels that take strided operands bind
   * `storageBuffer` with the view's strides and offset (see `viewBinding`).
   */
  get buffer(): GPUBuffer {
    const storage = this.live('buffer');
    if (!this.isPlain) {
      throw new LayoutError(
        `Tensor.buffer(${this.label}): ${formatShape(this.shape)} strides ${formatShape(this.strides)} offset ${this.offset} is a view; this kernel needs a contiguous tensor (contiguous(x))`,
      );
    }
    return storage.buffer;
  }

  /** The underlying GPU buffer of a view or tensor, whatever its layout. */
  get storageBuffer(): GPUBuffer {
    return this.live('storageBuffer').buffer;
  }

  /** Whether both tensors share one buffer (a view and its base, or two views). */
  sharesStorage(other: Tensor): boolean {
    return this.live('sharesStorage') === other.live('sharesStorage');
  }

  get ctx(): GpuContext {
    return this.live('ctx').ctx;
  }

  /** Bytes holding the elements (packed types: two per u32; quantized types: whole blocks). */
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
