// Counter-based random numbers shared by the GPU sampler and its CPU reference: a PCG-style hash
// of (seed, step, row) gives one uniform in [0, 1) per draw, so sampling is reproducible, needs no
// RNG state on the GPU, and the CPU reference draws exactly the same numbers.

/** 32-bit PCG hash (as in "Hash Functions for GPU Rendering", Jarzynski & Olano 2020). */
export function pcgHash(input: number): number {
  const state = (Math.imul(input >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> (((state >>> 28) + 4) >>> 0)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The uniform draw in [0, 1) for (seed, step, row); 24 bits of precision, as the WGSL side. */
export function uniformDraw(seed: number, step: number, row: number): number {
  const h = pcgHash((pcgHash((pcgHash(seed >>> 0) + step) >>> 0) + row) >>> 0);
  return (h >>> 8) / 16777216;
}

/** WGSL twin of `pcgHash` and `uniformDraw`. */
export const RNG_WGSL = /* wgsl */ `
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
fn uniform_draw(seed: u32, step: u32, row: u32) -> f32 {
  let h = pcg_hash(pcg_hash(pcg_hash(seed) + step) + row);
  return f32(h >> 8u) / 16777216.0;
}
`;
