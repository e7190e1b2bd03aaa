// AdamW's moments (exp_avg, exp_avg_sq) for every parameter, allocated once: flat f32 chunks of
// at most one binding each, parameters laid out in order at 64-element (256-byte) boundaries, so
// one launch can update many parameters' moments; a parameter larger than a binding gets a chunk
// of its own. Each parameter's moments are also exposed as views shaped like it.

import { type GpuContext, type Tensor, zeros } from '@mamba-webgpu/tensor';
import { contiguousStrides } from '@mamba-webgpu/tensor/internal';

/** Where a parameter's moments live: the same chunk index and offset in both moment arenas. */
export interface MomentSlot {
  readonly chunk: number;
  readonly offset: number;
  readonly numel: number;
}

const ALIGN_ELEMENTS = 64;

/** Chunk sizes and slots for parameters of `numels` elements, chunks of at most `chunkElements`. */
export function layoutMoments(
  numels: readonly number[],
  chunkElements: number,
): { sizes: number[]; slots: MomentSlot[] } {
  const sizes: number[] = [];
  const slots: MomentSlot[] = [];
  for (const numel of numels) {
    const last = sizes.length - 1;
    const offset = last >= 0 ? Math.ceil(sizes[last]! / ALIGN_ELEMENTS) * ALIGN_ELEMENTS : 0;
    if (last >= 0 && offset + numel <= chunkElements) {
      slots.push({ chunk: last, offset, numel });
      sizes[last] = offset + numel;
    } else {
      sizes.push(numel);
      slots.push({ chunk: sizes.length - 1, offset: 0, numel });
    }
  }
  return { sizes: sizes.map((size) => Math.max(size, 1)), slots };
}

/** The moments of every parameter, zero-initialised. Dispose it to free them. */
export class MomentArena {
  readonly expAvg: Tensor<'f32'>[] = [];
  readonly expAvgSq: Tensor<'f32'>[] = [];
  readonly slots: readonly MomentSlot[];
  /** Per parameter, views of its moments shaped like it. */
  readonly views: readonly { readonly expAvg: Tensor<'f32'>; readonly expAvgSq: Tensor<'f32'> }[];

  constructor(ctx: GpuContext, shapes: readonly (readonly number[])[], chunkElements: number) {
    const numels = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
    const { sizes, slots } = layoutMoments(numels, chunkElements);
    this.slots = slots;
    try {
      sizes.forEach((size, i) => {
        this.expAvg.push(zeros(ctx, [size], 'f32', `adamw/exp_avg.${i}`));
        this.expAvgSq.push(zeros(ctx, [size], 'f32', `adamw/exp_avg_sq.${i}`));
      });
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.views = slots.map((slot, i) => {
      const layout = { shape: shapes[i]!, strides: contiguousStrides(shapes[i]!), offset: slot.offset };
      return {
        expAvg: this.expAvg[slot.chunk]!.view(layout),
        expAvgSq: this.expAvgSq[slot.chunk]!.view(layout),
      };
    });
  }

  /** Reads every parameter's moments (one read per chunk). */
  async read(): Promise<{ expAvg: Float32Array[]; expAvgSq: Float32Array[] }> {
    const split = async (chunks: Tensor<'f32'>[]) => {
      const host: Float32Array[] = [];
      for (const chunk of chunks) host.push(await chunk.read());
      return this.slots.map((s) => host[s.chunk]!.slice(s.offset, s.offset + s.numel));
    };
    return { expAvg: await split(this.expAvg), expAvgSq: await split(this.expAvgSq) };
  }

  /** Overwrites every parameter's moments (one write per chunk). */
  write(expAvg: readonly Float32Array[], expAvgSq: readonly Float32Array[]): void {
    const join = (chunks: Tensor<'f32'>[], values: readonly Float32Array[]) => {
      const host = chunks.map((c) => new Float32Array(c.numel));
      for (const [i, s] of this.slots.entries()) host[s.chunk]!.set(values[i]!, s.offset);
      for (const [i, c] of chunks.entries()) c.write(host[i]!);
    };
    join(this.expAvg, expAvg);
    join(this.expAvgSq, expAvgSq);
  }

  dispose(): void {
    for (const v of this.views ?? []) {
      v.expAvg.dispose();
      v.expAvgSq.dispose();
    }
    for (const t of [...this.expAvg, ...this.expAvgSq]) t.dispose();
  }
}
