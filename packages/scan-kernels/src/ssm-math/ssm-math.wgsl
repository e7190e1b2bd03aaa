// Library `ssm-math`: the per-element steps of Mamba's selective SSM and causal conv, shared by
// the prefill scan versions, the conv and the decode steps (included by name, never re-typed).
// Uses `math` (silu, softplus). Scalars only: kernels keep their own loops, tiles and loads.

// log2(e): kernels that pre-scale A by it evaluate exp(dt A) as exp2(a_log2 * dt).
const SSM_LOG2E: f32 = 1.4426950408889634;

// The step size: dt = softplus(delta + bias) when `apply_softplus` (Mamba's dt_proj path), else
// delta + bias.
fn ssm_dt(delta: f32, bias: f32, apply_softplus: bool) -> f32 {
  let v = delta + bias;
  if (apply_softplus) { return softplus(v); }
  return v;
}

// The discretised decay exp(dt A) of one state.
fn ssm_decay(a: f32, dt: f32) -> f32 {
  return exp(dt * a);
}

// The same decay for A pre-scaled by SSM_LOG2E (a_log2 = A * log2(e)): one exp2, no multiply.
fn ssm_decay_log2(a_log2: f32, dt: f32) -> f32 {
  return exp2(a_log2 * dt);
}

// The state update step of one state: h' = exp(dt A) h + dt B x, with decay = exp(dt A) and
// dt_x = dt * x computed once per timestep.
fn ssm_state_step(h: f32, decay: f32, dt_x: f32, b: f32) -> f32 {
  return decay * h + dt_x * b;
}

// The output of one channel at one timestep before the gate: C . h + D x.
fn ssm_skip(readout: f32, skip: f32, x: f32) -> f32 {
  return readout + skip * x;
}

// The z gate: y * silu(z).
fn ssm_gate(y: f32, z: f32) -> f32 {
  return y * silu(z);
}

// The causal conv's output at one position from its taps (sum_w weight[w] * input[t-(width-1)+w]):
// bias added, then SiLU when `apply_silu` (Mamba's conv activation).
fn conv_output(taps: f32, bias: f32, apply_silu: bool) -> f32 {
  let v = taps + bias;
  if (apply_silu) { return silu(v); }
  return v;
}
