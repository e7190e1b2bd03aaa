// Numerically stable softmax / log-softmax along the last dim: one workgroup of REDUCE_THREADS
// threads per row, three passes over the row (max, sum of exp(x - max), write), so any row length
// works. x, out: (rows, dim) windows at x_off/out_off. LOG selects log-softmax.
// Uses the workgroup-reduce library (workgroup_max, workgroup_sum).

@compute @workgroup_size(REDUCE_THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = params.x_off + row * params.dim;
  var m = -0x1.fffffep+127f; // lowest f32 (an -inf literal is rejected by WGSL const evaluation)
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) { m = max(m, x[base + d]); }
  m = workgroup_max(m, lid);
  var s = 0.0;
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) { s += exp(x[base + d] - m); }
  s = workgroup_sum(s, lid);
  let log_s = log(s);
  let inv_s = 1.0 / s;
  let obase = params.out_off + row * params.dim;
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    let v = x[base + d] - m;
    out[obase + d] = select(exp(v) * inv_s, v - log_s, LOG);
  }
}
