// Library `workgroup-reduce`: sums and maxima over the REDUCE_THREADS threads of a workgroup (a
// tree in workgroup memory), for one-row-per-workgroup kernels. Call from uniform control flow
// with the local invocation index; every thread gets the result. REDUCE_THREADS is prepended
// from the TS constant of the same name (library.ts).

var<workgroup> reduce_scratch: array<f32, REDUCE_THREADS>;

fn workgroup_sum(v: f32, lid: u32) -> f32 {
  reduce_scratch[lid] = v;
  workgroupBarrier();
  for (var s = REDUCE_THREADS / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_scratch[lid] += reduce_scratch[lid + s]; }
    workgroupBarrier();
  }
  let r = reduce_scratch[0];
  workgroupBarrier(); // the next reduction may overwrite reduce_scratch[0]
  return r;
}

fn workgroup_max(v: f32, lid: u32) -> f32 {
  reduce_scratch[lid] = v;
  workgroupBarrier();
  for (var s = REDUCE_THREADS / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_scratch[lid] = max(reduce_scratch[lid], reduce_scratch[lid + s]); }
    workgroupBarrier();
  }
  let r = reduce_scratch[0];
  workgroupBarrier();
  return r;
}
