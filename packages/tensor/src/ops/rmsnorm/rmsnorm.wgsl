// RMSNorm with fused residual add, as mamba's fused add-norm (residual kept in f32):
//   residual_out = x + residual_in (or x), out = residual_out * rsqrt(mean(residual_out^2) + eps) * weight
// x, residual_in, residual_out, out: (rows, dim) windows at their *_off; weight: (dim).
// One workgroup of REDUCE_THREADS threads per row (rows folded over x and y of the grid); weight is
// f32 or packed f16/bf16 (`load_weight`). HAS_RESIDUAL_IN and WRITE_RESIDUAL say whether
// residual_in is read and residual_out written (absent ones are bound to dummies).
// Uses the workgroup-reduce library (workgroup_sum).

fn summed(row: u32, d: u32) -> f32 {
  var v = x[params.x_off + row * params.dim + d];
  if (HAS_RESIDUAL_IN) { v += residual_in[params.res_in_off + row * params.dim + d]; }
  return v;
}

@compute @workgroup_size(REDUCE_THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  var squares = 0.0;
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    let v = summed(row, d);
    if (WRITE_RESIDUAL) { residual_out[params.res_out_off + row * params.dim + d] = v; }
    squares += v * v;
  }
  let inv = inverseSqrt(workgroup_sum(squares, lid) / f32(params.dim) + params.eps);
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    out[params.out_off + row * params.dim + d] = summed(row, d) * inv * load_weight(d);
  }
}
