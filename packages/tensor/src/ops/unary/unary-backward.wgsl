// Backward of the element-wise unary ops: dx[i] = dy[i] * f'(x[i]), recomputing f' from the
// forward's input x. OP: 0 silu, 1 softplus, 2 exp, 3 neg, 4 sigmoid (the forward's codes).
// x, dy, dx: (numel), each bound whole.

fn derivative(v: f32) -> f32 {
  switch OP {
    case 0u: { return silu_grad(v); }
    case 1u: { return sigmoid(v); }
    case 2u: { return exp(v); }
    case 3u: { return -1.0; }
    default: { let s = sigmoid(v); return s * (1.0 - s); }
  }
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  dx[i] = dy[i] * derivative(x[i]);
}
