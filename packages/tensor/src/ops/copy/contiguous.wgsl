// Strided gather: out[i] = src[view index of i], the one copy from a strided view to a contiguous
// tensor (contiguous()). The view is coalesced on the host to at most MAX_RANK dims, padded in
// front with size-1 dims; out is row-major over (d0, d1, d2, d3).
// src: the view's span (4-byte elements); out: (numel) contiguous.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  if (i >= params.numel) { return; }
  let i3 = i % params.d3;
  let r2 = i / params.d3;
  let i2 = r2 % params.d2;
  let r1 = r2 / params.d2;
  let i1 = r1 % params.d1;
  let i0 = r1 / params.d1;
  out[i + params.out_offset] = src[src_at(i0, i1, i2, i3)];
}
