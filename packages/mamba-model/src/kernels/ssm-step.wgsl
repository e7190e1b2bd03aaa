// Decode step of the selective SSM, fused: dt_proj (+ bias, softplus), discretisation, state
// update in place, C readout, D skip and z gate, one thread per (row, channel).
// dbl: (batch, dtRank + 2*dState) = x_proj output [dt | B | C]; u: (batch, dInner);
// xz: (batch, 2*dInner) (z = columns [dInner, 2*dInner)); dt_weight: (dInner, dtRank) any float
// dtype (load_dt_weight); dt_bias, d_skip: (dInner); a: (dInner, dState) = -exp(A_log);
// state: (batch, dInner, dState); y: (batch, dInner).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dbl: array<f32>;
@group(0) @binding(2) var<storage, read> u: array<f32>;
@group(0) @binding(3) var<storage, read> xz: array<f32>;
@group(0) @binding(4) var<storage, read> dt_weight: array<DT_WEIGHT_TYPE>;
@group(0) @binding(5) var<storage, read> dt_bias: array<f32>;
@group(0) @binding(6) var<storage, read> a: array<f32>;
@group(0) @binding(7) var<storage, read> d_skip: array<f32>;
@group(0) @binding(8) var<storage, read_write> state: array<f32>;
@group(0) @binding(9) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let d_inner = params.d_inner;
  let i = gid.x;
  if (i >= params.batch * d_inner) { return; }
  let b = i / d_inner;
  let d = i % d_inner;
  let rank = params.dt_rank;
  let n_state = params.d_state;
  let row = b * (rank + 2u * n_state);
  var dt = dt_bias[d];
  for (var r = 0u; r < rank; r++) { dt += load_dt_weight(d * rank + r) * dbl[row + r]; }
  let delta = select(log(1.0 + exp(dt)), dt, dt > 20.0);
  let x = u[i];
  let dx = delta * x;
  var acc = 0.0;
  for (var n = 0u; n < n_state; n++) {
    let s = i * n_state + n;
    let h = exp(delta * a[d * n_state + n]) * state[s] + dx * dbl[row + rank + n];
    state[s] = h;
    acc += h * dbl[row + rank + n_state + n];
  }
  let z = xz[b * 2u * d_inner + d_inner + d];
  y[i] = (acc + d_skip[d] * x) * (z / (1.0 + exp(-z)));
}
