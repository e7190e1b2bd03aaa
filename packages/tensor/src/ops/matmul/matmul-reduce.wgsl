// matmul-reduce: the second pass of split-K GEMMs. out = sum over slices of the workspace, plus
// the epilogue (bias, residual). workspace: (splits, m, n) f32 at 0; out: (m, out_stride).
// One thread per output element (WORKGROUP per workgroup: MATMUL_REDUCE in matmul-kernels.ts);
// consecutive threads read consecutive workspace elements.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  let count = params.m * params.n;
  if (idx >= count) { return; }
  var s = 0.0;
  for (var z = 0u; z < params.splits; z++) { s += workspace[z * count + idx]; }
  store_out(idx / params.n, idx % params.n, s);
}
