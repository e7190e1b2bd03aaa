// Backward of RMSNorm y = x * r * w, r = rsqrt(mean(x^2) + eps), per row of `dim`:
//   dx = r * g - x * r^3 * sum(g * x) / dim,  g = dy * w   (+ d_residual when the normalised input
//   was also the residual stream: the fused add-norm's second output)
//   dw_rows = dy * x * r   (summed over rows afterwards, in a fixed order, by sumRows)
// x (the normalised input), dy, d_residual, dx, dw_rows: (rows, dim); weight: (dim).
// One workgroup of REDUCE_THREADS threads per row.

@compute @workgroup_size(REDUCE_THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = row * params.dim;
  var squares = 0.0;
  var dot = 0.0;
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    let v = x[base + d];
    squares += v * v;
    dot += dy[base + d] * load_weight(d) * v;
  }
  let r = inverseSqrt(workgroup_sum(squares, lid) / f32(params.dim) + params.eps);
  let k = workgroup_sum(dot, lid) * r * r * r / f32(params.dim);
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    let v = x[base + d];
    let g = dy[base + d] * load_weight(d);
    var grad = r * g - v * k;
    if (HAS_RESIDUAL_GRAD) { grad += d_residual[base + d]; }
    dx[base + d] = grad;
    dw_rows[base + d] = dy[base + d] * v * r;
  }
}
