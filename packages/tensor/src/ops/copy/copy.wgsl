// Grid-stride vec4<f32> copy: the bandwidth ceiling every memory-bound kernel is compared to.
// src, dst: (numel4) vec4 elements over one binding range.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * 256u;
  for (var i = gid.x; i < params.numel4; i += stride) {
    dst[i] = src[i];
  }
}
