// Library `copy-index`: element i of a (d0, d1, d2, d3) shape (Params fields d1, d2, d3) as its
// 4-D index, the order both views of copyInto are walked in.

fn copy_index(i: u32) -> vec4<u32> {
  let i3 = i % params.d3;
  let r2 = i / params.d3;
  let i2 = r2 % params.d2;
  let r1 = r2 / params.d2;
  return vec4<u32>(r1 / params.d1, r1 % params.d1, i2, i3);
}
