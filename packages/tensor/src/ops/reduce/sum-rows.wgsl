// Column sums over a block of rows: out[block, col] = sum of x[r, col] for r in the block, in row
// order. Applied repeatedly by sumRows until one block is left: a fixed summation order, so the
// result is bitwise deterministic (the bias and norm-weight gradients of autograd).
// x: (rows, cols) at x_offset; out: (blocks, cols), blocks = ceil(rows / ROWS_PER_BLOCK).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.cols * params.blocks) { return; }
  let col = i % params.cols;
  let block = i / params.cols;
  let r0 = block * ROWS_PER_BLOCK;
  let r1 = min(params.rows, r0 + ROWS_PER_BLOCK);
  var acc = 0.0;
  for (var r = r0; r < r1; r++) {
    acc += x[params.x_offset + r * params.cols + col];
  }
  out[i] = acc;
}
