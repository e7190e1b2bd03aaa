// grad-norm/partials: sums of squares of one gradient window, one partial per workgroup (BLOCK
// consecutive elements, ITEMS per thread, then a tree in workgroup memory: a fixed order, so the
// result is the same on every run). No atomics.
// grad: (numel) at grad_offset of its window; partials: (total partials) f32, this gradient's
// block_count partials written at partial_offset.

const BLOCK: u32 = WORKGROUP * ITEMS;

var<workgroup> sums: array<f32, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  if (block >= params.block_count) { return; }
  var acc = 0.0;
  for (var k = 0u; k < ITEMS; k++) {
    let e = block * BLOCK + k * WORKGROUP + lid;
    if (e < params.numel) {
      let x = grad[params.grad_offset + e];
      acc += x * x;
    }
  }
  sums[lid] = acc;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[params.partial_offset + block] = sums[0]; }
}
