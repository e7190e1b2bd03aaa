// Element-wise binary ops with a trailing-dims broadcast: out[i] = a[i] op b[(phase + i) % b_numel].
// a, out: (numel) windows at a_off/out_off (chunks of a larger tensor); b: (b_numel), the
// trailing dims of a (declared by the host as `b` with `load_b`: f32 or packed f16/bf16).
// OP: 0 add, 1 mul. Bindings: 0 params, 1 a, 2 b, 3 out.

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * 256u + lid;
  if (i >= params.numel) { return; }
  let bv = load_b((params.phase + i) % params.b_numel);
  let av = a[params.a_off + i];
  out[params.out_off + i] = select(av + bv, av * bv, OP == 1u);
}
