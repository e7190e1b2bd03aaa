// Backward of log-softmax along rows: dx = dy - exp(out) * sum(dy), from the forward's output.
// out, dy, dx: (rows, dim); one workgroup of REDUCE_THREADS threads per row.

@compute @workgroup_size(REDUCE_THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = row * params.dim;
  var total = 0.0;
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) { total += dy[base + d]; }
  let s = workgroup_sum(total, lid);
  for (var d = lid; d < params.dim; d += REDUCE_THREADS) {
    dx[base + d] = dy[base + d] - exp(out[base + d]) * s;
  }
}
