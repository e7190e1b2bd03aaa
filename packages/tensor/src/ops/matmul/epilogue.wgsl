// Library `matmul-epilogue`, shared by every kernel version and the split-K reduce pass: adds
// the optional bias and residual (HAS_BIAS, HAS_RESIDUAL) and stores. Its bindings are declared by
// `epilogueStorage` in matmul-kernels.ts: bias (f32 or packed, `load_bias`), residual and out
// (f32). out, residual: (m, out_stride) windows at out_off/res_off; this chunk's columns start
// at col0, its bias at bias_off.

// m, n: row and column inside this chunk (n < params.n, m < params.m).
fn store_out(m: u32, n: u32, v: f32) {
  let o = m * params.out_stride + params.col0 + n;
  var r = v;
  if (HAS_BIAS) { r += load_bias(params.bias_off + n); }
  if (HAS_RESIDUAL) { r += residual[params.res_off + o]; }
  out[params.out_off + o] = r;
}
