// grad-norm/scale: grad *= scale in place, only when scale = grad_norm[1] < 1 (clip_grad_norm_).
// grad_norm: (2) f32 [norm, scale]; grad: (numel) at grad_offset of its window.

const BLOCK: u32 = WORKGROUP * ITEMS;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  let scale = grad_norm[1];
  if (block >= params.block_count || scale >= 1.0) { return; }
  for (var k = 0u; k < ITEMS; k++) {
    let e = block * BLOCK + k * WORKGROUP + lid;
    if (e >= params.numel) { break; }
    grad[params.grad_offset + e] = grad[params.grad_offset + e] * scale;
  }
}
