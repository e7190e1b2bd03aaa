// Deterministic test data for the tune scripts: an LCG's values in [lo, hi), 2^20 of them
// repeated (filling hundreds of MB stays fast; the values only need to be plausible for timing).

/** n values in [lo, hi) from an LCG seeded with `seed`, a 2^20-value pattern repeated. */
export function fill(n: number, seed: number, lo: number, hi: number): Float32Array {
  const pattern = new Float32Array(1 << 20);
  let s = seed >>> 0;
  for (let i = 0; i < pattern.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pattern[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += pattern.length)
    out.set(pattern.subarray(0, Math.min(pattern.length, n - i)), i);
  return out;
}
