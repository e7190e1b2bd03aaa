// segmentRmsNorm v1-thread-per-segment: each row of x is cut into up to MAX_SEGMENTS column
// segments [end_{s-1}, end_s), and each segment is normalised on its own without a weight:
//   out[r, d] = x[r, d] * rsqrt(mean_{d' in segment}(x[r, d']^2) + eps)
// One thread per (row, segment), items folded over x and y of the grid; the sum of squares in f32.
// x, out: (rows, width) windows at x_off / out_off.

fn segment_end(s: u32) -> u32 {
  switch s {
    case 0u: { return params.end0; }
    case 1u: { return params.end1; }
    case 2u: { return params.end2; }
    default: { return params.end3; }
  }
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let item = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (item >= params.rows * params.segments) { return; }
  let row = item / params.segments;
  let s = item % params.segments;
  var start = 0u;
  if (s > 0u) { start = segment_end(s - 1u); }
  let end = segment_end(s);
  let x0 = params.x_off + row * params.width;
  var squares = 0.0;
  for (var d = start; d < end; d++) {
    let v = x[x0 + d];
    squares += v * v;
  }
  let inv = inverseSqrt(squares / f32(end - start) + params.eps);
  let o0 = params.out_off + row * params.width;
  for (var d = start; d < end; d++) {
    out[o0 + d] = x[x0 + d] * inv;
  }
}
