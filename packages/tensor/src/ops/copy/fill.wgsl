// Fill: out[i] = value for i < numel, 4-byte elements (the bits of an f32, i32 or u32 value).
// out: (numel) in one binding window from out_offset.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  out[params.out_offset + i] = params.bits;
}
