// training/accumulate: acc = (overwrite ? 0 : acc) + grad * scale over one window pair; the
// first micro-batch overwrites (no zeroing pass), later ones add in call order (deterministic).
// acc, grad: (numel) at acc_offset / grad_offset of their windows; scale = 1 / microBatches.

const BLOCK: u32 = WORKGROUP * ITEMS;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  if (block >= params.block_count) { return; }
  for (var k = 0u; k < ITEMS; k++) {
    let e = block * BLOCK + k * WORKGROUP + lid;
    if (e >= params.numel) { break; }
    let x = grad[params.grad_offset + e] * params.scale;
    if (params.overwrite != 0u) {
      acc[params.acc_offset + e] = x;
    } else {
      acc[params.acc_offset + e] = acc[params.acc_offset + e] + x;
    }
  }
}
