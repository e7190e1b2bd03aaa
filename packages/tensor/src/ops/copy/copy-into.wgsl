// Strided scatter: dst[dst view index of i] = src[src view index of i] for i over the shared
// shape (d0, d1, d2, d3), both views coalesced/padded to 4 dims on the host. The write side of
// contiguous(): gradients of slices and transposes land in their base through it.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  let c = copy_index(i);
  dst[dst_at(c.x, c.y, c.z, c.w)] = src[src_at(c.x, c.y, c.z, c.w)];
}
