// Library `ssm-step-math`: the per-element math of one selective-SSM timestep, shared by the
// decode kernels of state-update/ (state-update's stand-in for the shared `ssm-math` library;
// merge the two when both exist). Uses `math` (softplus, silu).

// delta from dt (bias already added): softplus(dt) when `apply_softplus`, else dt.
fn ssm_delta(dt: f32, apply_softplus: bool) -> f32 {
  if (apply_softplus) { return softplus(dt); }
  return dt;
}

// One state of one channel: h' = exp(delta a) h + (delta x) b.
fn ssm_state_step(h: f32, delta: f32, a: f32, delta_x: f32, b: f32) -> f32 {
  return exp(delta * a) * h + delta_x * b;
}

// The gated output of a channel: y * silu(z), y = C . h + D x.
fn ssm_gate(y: f32, z: f32) -> f32 {
  return y * silu(z);
}
