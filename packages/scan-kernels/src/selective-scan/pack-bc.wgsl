// Packs B and C into time-major rows for v2: out (batch, seqLen, 2 * n_pad) = [B_t | C_t] with
// states n_state..n_pad zero-filled, so a timestep's states are whole vec4 loads.
// B, C: strided (b * batch_stride + n * state_stride + t * time_stride).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> b_matrix: array<f32>;
@group(0) @binding(2) var<storage, read> c_matrix: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * 256u + lid;
  let row = 2u * params.n_pad;
  if (index >= params.batch * params.seq_len * row) { return; }
  let w = index % row;
  let bt = index / row;
  let t = bt % params.seq_len;
  let b = bt / params.seq_len;
  let is_c = w >= params.n_pad;
  let n = select(w, w - params.n_pad, is_c);
  var v = 0.0;
  if (n < params.d_state) {
    let src = b * params.batch_stride + n * params.state_stride + t * params.time_stride;
    v = select(b_matrix[src], c_matrix[src], is_c);
  }
  out[index] = v;
}
