// Library `math`: the element-wise functions shared by every kernel (included by the builder).

fn sigmoid(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

fn silu(v: f32) -> f32 {
  return v / (1.0 + exp(-v));
}

// As torch.nn.functional.softplus (beta 1, threshold 20): linear above 20.
fn softplus(v: f32) -> f32 {
  if (v > 20.0) { return v; }
  return log(1.0 + exp(v));
}

// d/dv silu(v) = sigmoid(v) * (1 + v * (1 - sigmoid(v))).
fn silu_grad(v: f32) -> f32 {
  let s = sigmoid(v);
  return s * (1.0 + v * (1.0 - s));
}
