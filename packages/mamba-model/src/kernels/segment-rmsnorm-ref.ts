// CPU reference of segmentRmsNorm (f64 accumulation): each row's column segments normalised on
// their own, without a weight. x: (rows, width); segments: widths summing to width.

/** out[r, d] = x[r, d] / sqrt(mean over d's segment of x[r, .]^2 + eps), per row and segment. */
export function segmentRmsNormRef(x: Float32Array, segments: readonly number[], eps: number): Float32Array {
  const width = segments.reduce((a, b) => a + b, 0);
  const out = new Float32Array(x.length);
  for (let row = 0; row * width < x.length; row++) {
    let start = row * width;
    for (const size of segments) {
      let squares = 0;
      for (let d = start; d < start + size; d++) squares += x[d]! * x[d]!;
      const inv = 1 / Math.sqrt(squares / size + eps);
      for (let d = start; d < start + size; d++) out[d] = x[d]! * inv;
      start += size;
    }
  }
  return out;
}
