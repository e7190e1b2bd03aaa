// Test helpers of the training layer: seeded named parameter sets with awkward sizes, uploaded to
// the GPU or kept as float64 host copies for the CPU references.

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';

/** Names (decaying and not, by the default rule) and shapes with awkward sizes. */
export const PARAM_SHAPES: readonly [string, number[]][] = [
  ['backbone.embeddings.weight', [37, 9]],
  ['backbone.layers.0.norm.weight', [1]],
  ['backbone.layers.0.mixer.in_proj.weight', [2049]],
  ['backbone.layers.0.mixer.A_log', [37, 3]],
  ['backbone.layers.0.mixer.D', [333]],
  ['backbone.layers.0.mixer.conv1d.bias', [5]],
  ['backbone.layers.0.mixer.out_proj.weight', [4133]],
];

/** Seeded host values for each shape: params ~ N(0, 0.5), grads ~ N(0, 1) times a per-tensor scale. */
export function hostValues(
  seed: number,
  shapes: readonly [string, number[]][] = PARAM_SHAPES,
): Map<string, Float32Array> {
  const rng = new SeededRandom(seed);
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = 10 ** rng.uniform(-4, 1);
    out.set(
      name,
      rng.array(n, () => rng.normal() * scale),
    );
  }
  return out;
}

/** Uploads each host array as an f32 tensor of its shape. */
export function upload(
  ctx: GpuContext,
  values: Map<string, Float32Array>,
  shapes = PARAM_SHAPES,
): Map<string, Tensor<'f32'>> {
  const shapeOf = new Map(shapes);
  const out = new Map<string, Tensor<'f32'>>();
  for (const [name, v] of values) out.set(name, Tensor.fromArray(ctx, v, shapeOf.get(name)!, 'f32', name));
  return out;
}

/** float64 copies of host arrays. */
export function toFloat64(values: Map<string, Float32Array>): Map<string, Float64Array> {
  return new Map([...values].map(([name, v]) => [name, Float64Array.from(v)]));
}

/** Reads every tensor of a map back. */
export async function readAll(tensors: Map<string, Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors) out.set(name, (await t.read()) as Float32Array);
  return out;
}

/** Disposes every tensor of a map. */
export function disposeMap(tensors: Map<string, Tensor>): void {
  for (const t of tensors.values()) t.dispose();
}

/** Whether two host maps hold bitwise identical arrays. */
export function bitwiseEqual(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || x.length !== y.length) return false;
    const xb = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return false;
  }
  return true;
}

/**
 * Uploads host arrays into one flat buffer, `gap` elements apart (odd offsets, not 256-byte
 * aligned), and returns views of it shaped like each: a flat arena of parameters or gradients.
 */
export function uploadFlat(
  ctx: GpuContext,
  values: Map<string, Float32Array>,
  shapes = PARAM_SHAPES,
  gap = 3,
): { base: Tensor<'f32'>; views: Map<string, Tensor<'f32'>> } {
  const shapeOf = new Map(shapes);
  const total = [...values.values()].reduce((n, v) => n + v.length + gap, gap);
  const host = new Float32Array(total);
  const base = Tensor.empty(ctx, [total], 'f32', 'flat');
  const views = new Map<string, Tensor<'f32'>>();
  let offset = gap;
  for (const [name, v] of values) {
    const shape = shapeOf.get(name)!;
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    views.set(name, base.view({ shape, strides, offset }));
    host.set(v, offset);
    offset += v.length + gap;
  }
  base.write(host);
  return { base, views };
}
