// Element-wise unary functions on f32: out[i] = f(x[i]).
// x, out: (numel) over one binding range; the host splits tensors larger than a binding.
// OP is one of the generated codes OP_SILU, OP_SOFTPLUS, OP_EXP, OP_NEG, OP_SIGMOID; silu,
// softplus and sigmoid come from the MATH library.

fn apply(v: f32) -> f32 {
  switch OP {
    case OP_SILU: { return silu(v); }
    case OP_SOFTPLUS: { return softplus(v); }
    case OP_EXP: { return exp(v); }
    case OP_NEG: { return -v; }
    default: { return sigmoid(v); }
  }
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  out[i] = apply(x[i]);
}
