// Depthwise causal conv1d over a sequence, fused bias and optional SiLU, and the final conv state.
// x, y: (batch, d_inner, seq_len) views (x_at(b, d, t), y_at(b, d, t)); weight: (d_inner, width);
// bias: (d_inner); init_state: (batch, d_inner, init_width) = the inputs before t = 0 (the last one
// at column init_width - 1); final_state: (batch, d_inner, width) = the last `width` inputs
// (zeros/initial state where the sequence is shorter). Invocations [0, batch*d_inner*seq_len)
// write y, channels fastest when CHANNEL_FAST (token-major x read along its rows), else timesteps
// fastest; the next batch*d_inner*width write final_state. The builder generates the bindings,
// the view helpers and WORKGROUP, HAS_BIAS, HAS_INIT, SILU, CHANNEL_FAST.

/** Input of channel d of batch row b at time t (t may be negative: initial state or zero). */
fn input_at(b: u32, d: u32, t: i32) -> f32 {
  if (t >= 0) { return x[x_at(b, d, u32(t))]; }
  let column = i32(params.init_width) + t;
  if (HAS_INIT && column >= 0) { return init_state[(b * params.d_inner + d) * params.init_width + u32(column)]; }
  return 0.0;
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  let rows = params.batch * params.d_inner;
  let n_out = rows * params.seq_len;
  if (index < n_out) {
    var b: u32;
    var d: u32;
    var t: u32;
    if (CHANNEL_FAST) {
      d = index % params.d_inner;
      let bt = index / params.d_inner;
      t = bt % params.seq_len;
      b = bt / params.seq_len;
    } else {
      t = index % params.seq_len;
      let channel = index / params.seq_len;
      d = channel % params.d_inner;
      b = channel / params.d_inner;
    }
    var taps = 0.0;
    for (var w = 0u; w < params.width; w++) {
      taps += weight[d * params.width + w] * input_at(b, d, i32(t) - i32(params.width - 1u - w));
    }
    y[y_at(b, d, t)] = conv_output(taps, select(0.0, bias[d], HAS_BIAS), SILU);
  } else if (index < n_out + rows * params.width) {
    let s = index - n_out;
    let channel = s / params.width;
    let column = s % params.width;
    let t = i32(params.seq_len) - i32(params.width) + i32(column);
    final_state[s] = input_at(channel / params.d_inner, channel % params.d_inner, t);
  }
}
