// Block quantization on the GPU: one invocation per block of BLOCK elements of src (f32, f16 or
// bf16, read with `load_src`), writing the block's words into out (the q8 / q4 layout of
// tensor/quant.ts). src, out: windows of larger tensors (src_off elements, out_block blocks in).
//   q8: d = max|v| / 127 (f32), q = clamp(round(v / d), -127, 127), one byte each.
//   q4: header = pack2x16float((max - min) / 15, min); s, m = its f16 values (rounded, as the
//       loaders read them); q = clamp(round((v - m) / s), 0, 15), one nibble each.
// round() is half-to-even here and half-up in the CPU reference: they differ only at exact ties.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (b >= params.blocks) { return; }
  let first = b * BLOCK;
  let count = min(BLOCK, params.numel - first);
  var lo = 3.0e38;
  var hi = -3.0e38;
  var amax = 0.0;
  for (var j = 0u; j < count; j++) {
    let v = load_src(params.src_off + first + j);
    lo = min(lo, v);
    hi = max(hi, v);
    amax = max(amax, abs(v));
  }
  let base = (params.out_block + b) * WORDS;
  if (Q8) {
    let d = amax / 127.0;
    out[base] = bitcast<u32>(d);
    for (var w = 0u; w < WORDS - 1u; w++) {
      var word = 0u;
      for (var k = 0u; k < 4u; k++) {
        let j = w * 4u + k;
        if (j < count && d > 0.0) {
          let q = i32(clamp(round(load_src(params.src_off + first + j) / d), -127.0, 127.0));
          word = word | ((bitcast<u32>(q) & 0xffu) << (k * 8u));
        }
      }
      out[base + 1u + w] = word;
    }
  } else {
    // f16 holds at most 65504: wider blocks are clamped (the CPU path refuses them).
    let header = pack2x16float(clamp(vec2<f32>((hi - lo) / 15.0, lo), vec2<f32>(-65504.0), vec2<f32>(65504.0)));
    let sm = unpack2x16float(header);
    out[base] = header;
    for (var w = 0u; w < WORDS - 1u; w++) {
      var word = 0u;
      for (var k = 0u; k < 8u; k++) {
        let j = w * 8u + k;
        if (j < count && sm.x > 0.0) {
          let q = u32(clamp(round((load_src(params.src_off + first + j) - sm.y) / sm.x), 0.0, 15.0));
          word = word | (q << (k * 4u));
        }
      }
      out[base + 1u + w] = word;
    }
  }
}
