// CPU reference of gradient accumulation, in the kernel's f32 arithmetic and order:
// acc = g_0 * s, then acc = acc + g_i * s for i = 1..k-1, with s = f32(1 / k).

/** The accumulated gradient of one tensor from its k micro-batch gradients, in order. */
export function accumulateGradsRef(microBatches: readonly ArrayLike<number>[]): Float32Array {
  const scale = Math.fround(1 / microBatches.length);
  const out = new Float32Array(microBatches[0]?.length ?? 0);
  microBatches.forEach((g, i) => {
    for (let e = 0; e < out.length; e++) {
      const x = Math.fround(g[e]! * scale);
      out[e] = i === 0 ? x : Math.fround(out[e]! + x);
    }
  });
  return out;
}
