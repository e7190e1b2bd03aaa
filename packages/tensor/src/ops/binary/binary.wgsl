// Element-wise binary ops with a trailing-dims broadcast: out[i] = a[i] op b[(phase + i) % b_numel].
// a, out: (numel) windows at a_off/out_off (chunks of a larger tensor); b: (b_numel), the
// trailing dims of a (f32 or packed f16/bf16, read with `load_b`).
// OP is one of the generated codes OP_ADD, OP_MUL.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  let bv = load_b((params.phase + i) % params.b_numel);
  let av = a[params.a_off + i];
  out[params.out_off + i] = select(av + bv, av * bv, OP == OP_MUL);
}
