// Element-wise unary functions on f32: out[i] = f(x[i]).
// x, out: (numel) over one binding range; the host splits tensors larger than a binding.
// OP is an override constant: 0 silu, 1 softplus, 2 exp, 3 neg, 4 sigmoid.

override OP: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn softplus(v: f32) -> f32 {
  // As torch.nn.functional.softplus (threshold 20): log1p(exp(v)) computed stably.
  if (v > 20.0) { return v; }
  return log(1.0 + exp(v));
}

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return v / (1.0 + exp(-v)); }
    case 1u: { return softplus(v); }
    case 2u: { return exp(v); }
    case 3u: { return -v; }
    default: { return 1.0 / (1.0 + exp(-v)); }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * 256u + lid;
  if (i >= params.numel) { return; }
  out[i] = apply(x[i]);
}
