// Library `matmul-operands`: the operand reads shared by every kernel version, 4 consecutive K
// elements of one row of x or W as vec4<f32> (f32 or packed f16/bf16 storage, `load_x` /
// `load_w`), for the layout the host resolved per operand (X_LAYOUT, W_LAYOUT; codes generated from MATRIX_LAYOUTS):
//   LAYOUT_VEC4: stride 1 along K, with K, the row stride and the offset multiples of 4, the
//     binding declared vec4: one vector load;
//   LAYOUT_K_CONTIGUOUS: stride 1 along K: scalar loads, the K tail masked to zero;
//   LAYOUT_STRIDED: any strides (a transposed operand): scalar loads at k * <name>_stride1.
// base: the element (row, 0) of the operand, `x_at(row, 0u)`; k: a multiple of 4, < params.k.

fn read4_x(base: u32, k: u32) -> vec4<f32> {
  if (X_LAYOUT == LAYOUT_VEC4) { return load4_x(base + k); }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < params.k) {
      if (X_LAYOUT == LAYOUT_K_CONTIGUOUS) { v[j] = load_x(base + k + j); }
      else { v[j] = load_x(base + (k + j) * params.x_stride1); }
    }
  }
  return v;
}

fn read4_w(base: u32, k: u32) -> vec4<f32> {
  if (W_LAYOUT == LAYOUT_VEC4) { return load4_w(base + k); }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < params.k) {
      if (W_LAYOUT == LAYOUT_K_CONTIGUOUS) { v[j] = load_w(base + k + j); }
      else { v[j] = load_w(base + (k + j) * params.w_stride1); }
    }
  }
  return v;
}
