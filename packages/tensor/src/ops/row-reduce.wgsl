// Library `row-reduce`: workgroup reductions for the one-row-per-workgroup kernels (rmsnorm,
// softmax): a tree in workgroup memory over the kernel's WORKGROUP threads (a power of two, from
// the kernel's constants header). Call from uniform control flow; every thread gets the result.

var<workgroup> red: array<f32, WORKGROUP>;

fn reduce_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // the next reduction may overwrite red[0]
  return r;
}

fn reduce_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
