// RMSNorm with fused residual add, as mamba's fused add-norm (residual kept in f32):
//   residual_out = x + residual_in (or x), out = residual_out * rsqrt(mean(residual_out^2) + eps) * weight
// x, residual_in, residual_out, out: (rows, dim) windows at their *_off; weight: (dim).
// One workgroup of 256 threads per row (rows folded over x and y of the grid).
// Bindings: 0 params, 1 x, 2 residual_in, 3 weight (declared by the host: f32 or packed), 4 out,
// 5 residual_out.

override HAS_RESIDUAL_IN: bool = false;
override WRITE_RESIDUAL: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> residual_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> residual_out: array<f32>;

fn summed(row: u32, d: u32) -> f32 {
  var v = x[params.x_off + row * params.dim + d];
  if (HAS_RESIDUAL_IN) { v += residual_in[params.res_in_off + row * params.dim + d]; }
  return v;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  var squares = 0.0;
  for (var d = lid; d < params.dim; d += 256u) {
    let v = summed(row, d);
    if (WRITE_RESIDUAL) { residual_out[params.res_out_off + row * params.dim + d] = v; }
    squares += v * v;
  }
  let inv = inverseSqrt(reduce_sum(squares, lid) / f32(params.dim) + params.eps);
  for (var d = lid; d < params.dim; d += 256u) {
    out[params.out_off + row * params.dim + d] = summed(row, d) * inv * load_weight(d);
  }
}
