// Test helpers shared by every package's suite: `expectAllClose` (|a-e| <= atol + rtol*|e|, NaN
// never equal, reports the worst errors and the first bad index), a seeded RNG, and the per-dtype
// tolerances of mamba's own tests. Exported as `@mamba-webgpu/tensor/testing`.

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Name printed in the failure message. */
  label?: string;
}

export interface CloseReport {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  firstBadIndex: number;
  badCount: number;
}

/** Compares element-wise; never throws. */
export function compareAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: CloseOptions = {},
): CloseReport {
  let maxAbsError = 0;
  let maxRelError = 0;
  let firstBadIndex = -1;
  let badCount = 0;
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const diff = Math.abs(a - e);
    const ok = diff <= atol + rtol * Math.abs(e) || (a === e && Number.isFinite(a));
    if (Number.isFinite(diff)) {
      maxAbsError = Math.max(maxAbsError, diff);
      if (e !== 0) maxRelError = Math.max(maxRelError, diff / Math.abs(e));
    }
    if (!ok) {
      badCount++;
      if (firstBadIndex < 0) firstBadIndex = i;
    }
  }
  return {
    ok: badCount === 0 && actual.length === expected.length,
    maxAbsError,
    maxRelError,
    firstBadIndex,
    badCount,
  };
}

/** Throws an Error describing the mismatch unless `actual` is close to `expected`. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: CloseOptions = {},
): void {
  const { rtol = 1e-5, atol = 1e-6, label = 'values' } = options;
  if (actual.length !== expected.length) {
    throw new Error(`expectAllClose(${label}): length ${actual.length} != expected ${expected.length}`);
  }
  const r = compareAllClose(actual, expected, { rtol, atol });
  if (!r.ok) {
    const i = r.firstBadIndex;
    throw new Error(
      `expectAllClose(${label}): ${r.badCount}/${actual.length} elements differ (rtol ${rtol}, atol ${atol}); ` +
        `max abs err ${r.maxAbsError.toExponential(3)}, max rel err ${r.maxRelError.toExponential(3)}; ` +
        `first bad index ${i}: got ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

/** Tolerances per dtype, as in mamba's tests/ops/test_selective_scan.py. */
export const TOLERANCES = {
  f32: { rtol: 6e-4, atol: 2e-3 },
  f16: { rtol: 3e-3, atol: 5e-3 },
  bf16: { rtol: 3e-2, atol: 5e-2 },
} as const;

/** Small fast seeded PRNG (mulberry32) with uniform and normal draws. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A Float32Array of `n` draws from `draw` (default standard normal). */
  array(n: number, draw: () => number = () => this.normal()): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = draw();
    return out;
  }
}
