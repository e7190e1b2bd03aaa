// Strided gather into a contiguous tensor: out[b, i, j] = src[offset + b*stride_b + i*stride_i + j*stride_j].
// out: (batch, rows, cols) contiguous. Used for the layout changes between the token-major
// projections (batch, seqLen, channels) and the channel-major scan/conv (batch, channels, seqLen),
// and for slicing dt/B/C out of x_proj's output. A 16x16 tile goes through workgroup memory so
// that both the reads (along j or i) and the writes (along j) can be coalesced.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<array<f32, 17>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wid.z;
  let i0 = wid.y * 16u;
  let j0 = wid.x * 16u;
  // Read phase: when stride_i == 1 the source is contiguous along i, so let lid.x walk i.
  if (params.stride_i == 1u) {
    let i = i0 + lid.x;
    let j = j0 + lid.y;
    if (i < params.rows && j < params.cols) {
      tile[lid.x][lid.y] = src[params.offset + b * params.stride_b + i + j * params.stride_j];
    }
  } else {
    let i = i0 + lid.y;
    let j = j0 + lid.x;
    if (i < params.rows && j < params.cols) {
      tile[lid.y][lid.x] = src[params.offset + b * params.stride_b + i * params.stride_i + j * params.stride_j];
    }
  }
  workgroupBarrier();
  let i = i0 + lid.y;
  let j = j0 + lid.x;
  if (i < params.rows && j < params.cols) {
    out[(b * params.rows + i) * params.cols + j] = tile[lid.y][lid.x];
  }
}
