// Strided scatter: dst[dst view index of i] = src[src view index of i] for i over the shared
// shape (d0, d1, d2, d3), both views coalesced/padded to 4 dims on the host. The write side of
// contiguous(): gradients of slices and transposes land in their base through it.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  let i3 = i % params.d3;
  let r2 = i / params.d3;
  let i2 = r2 % params.d2;
  let r1 = r2 / params.d2;
  let i1 = r1 % params.d1;
  let i0 = r1 / params.d1;
  dst[dst_at(i0, i1, i2, i3)] = src[src_at(i0, i1, i2, i3)];
}
