// grad-norm/final: one workgroup sums every partial in a fixed order (thread t takes partials
// t, t + WORKGROUP, ... in turn, then a tree), then writes out = (norm, scale) with
// torch.nn.utils.clip_grad_norm_'s scale: min(1, max_norm * (1 / (norm + 1e-6))) when clip != 0,
// else 1 (torch computes `max_norm / x` as `x.reciprocal() * max_norm`).
// partials: (partial_count) f32; out: (2) f32.

var<workgroup> sums: array<f32, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.partial_count; i += WORKGROUP) { acc += partials[i]; }
  sums[lid] = acc;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let norm = sqrt(sums[0]);
    var scale = 1.0;
    if (params.clip != 0u) { scale = min((1.0 / (norm + 1e-6)) * params.max_norm, 1.0); }
    out[0] = norm;
    out[1] = scale;
  }
}
