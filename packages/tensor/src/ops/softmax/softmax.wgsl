// Numerically stable softmax / log-softmax along the last dim: one workgroup of 256 threads per
// row, three passes over the row (max, sum of exp(x - max), write), so any row length works.
// x, out: (rows, dim) windows at x_off/out_off. LOG selects log-softmax.

override LOG: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = params.x_off + row * params.dim;
  var m = -0x1.fffffep+127f; // lowest f32 (an -inf literal is rejected by WGSL const evaluation)
  for (var d = lid; d < params.dim; d += 256u) { m = max(m, x[base + d]); }
  m = reduce_max(m, lid);
  var s = 0.0;
  for (var d = lid; d < params.dim; d += 256u) { s += exp(x[base + d] - m); }
  s = reduce_sum(s, lid);
  let log_s = log(s);
  let inv_s = 1.0 / s;
  let obase = params.out_off + row * params.dim;
  for (var d = lid; d < params.dim; d += 256u) {
    let v = x[base + d] - m;
    out[obase + d] = select(exp(v) * inv_s, v - log_s, LOG);
  }
}
