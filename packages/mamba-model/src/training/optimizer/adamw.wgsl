// AdamW, multi-tensor (torch.optim.AdamW's op order, foreach form): one launch updates in place
// every segment of its table, each a parameter (or a piece of one) with its gradient and moments:
//   g  = grad * grad_scale[1]                 (when use_grad_scale: the clip scale)
//   p  = p * decay_factor                     (1 - lr*wd, decaying segments only)
//   m  = lerp(m, g, 1 - beta1)                (torch.lerp: the small-weight form below 0.5)
//   v  = v * beta2 + (1 - beta2) * (g * g)
//   p  = p + neg_step_size * (m / (sqrt(v) / bias_correction2_sqrt + eps))
// table: (segment_count, SEGMENT_WORDS) u32 at table_offset, per segment [first_block, numel,
//   param_offset, grad_offset, state_offset, decays, 0, 0]: offsets are element indices into the
//   bound windows of param, grad and exp_avg / exp_avg_sq (which share one layout).
// grad_scale: (2) f32 [norm, scale] from grad-norm/final, or a dummy when use_grad_scale is 0.
// Workgroup b updates block b: BLOCK consecutive elements of one segment, ITEMS per thread.

const BLOCK: u32 = WORKGROUP * ITEMS;

fn segment_word(segment: u32, word: u32) -> u32 {
  return table[params.table_offset + segment * SEGMENT_WORDS + word];
}

/** The segment holding `block`: the last whose first_block <= block (binary search). */
fn find_segment(block: u32) -> u32 {
  var lo = 0u;
  var hi = params.segment_count - 1u;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi + 1u) / 2u;
    if (segment_word(mid, 0u) <= block) { lo = mid; } else { hi = mid - 1u; }
  }
  return lo;
}

/** torch.lerp(start, end, weight) for a scalar weight (aten/src/ATen/native/Lerp.h). */
fn lerp_torch(start: f32, end: f32) -> f32 {
  let weight = params.lerp_weight;
  if (abs(weight) < 0.5) { return start + weight * (end - start); }
  return end - (end - start) * (1.0 - weight);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = wid.x + wid.y * groups.x;
  if (block >= params.block_count) { return; }
  let segment = find_segment(block);
  let numel = segment_word(segment, 1u);
  let param_offset = segment_word(segment, 2u);
  let grad_offset = segment_word(segment, 3u);
  let state_offset = segment_word(segment, 4u);
  let decay = select(1.0, params.decay_factor, segment_word(segment, 5u) != 0u);
  var scale = 1.0;
  if (params.use_grad_scale != 0u) { scale = grad_scale[1]; }
  let base = (block - segment_word(segment, 0u)) * BLOCK;
  for (var k = 0u; k < ITEMS; k++) {
    let e = base + k * WORKGROUP + lid;
    if (e >= numel) { break; }
    var g = grad[grad_offset + e];
    if (params.use_grad_scale != 0u) { g = g * scale; }
    let p = param[param_offset + e] * decay;
    let m = lerp_torch(exp_avg[state_offset + e], g);
    let v = exp_avg_sq[state_offset + e] * params.beta2 + params.one_minus_beta2 * (g * g);
    let denom = sqrt(v) / params.bias_correction2_sqrt + params.eps;
    param[param_offset + e] = p + params.neg_step_size * (m / denom);
    exp_avg[state_offset + e] = m;
    exp_avg_sq[state_offset + e] = v;
  }
}
