// Grid-stride vec4<f32> copy: the bandwidth ceiling every memory-bound kernel is compared to.
// src, dst: (numel4) vec4 elements over one binding range.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WORKGROUP;
  for (var i = gid.x; i < params.numel4; i += stride) {
    dst[i] = src[i];
  }
}
