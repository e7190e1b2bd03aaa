// Test kernel: evaluates every ssm-math function on one input row per invocation.
// inputs: (n, 4) rows [p, q, r, s]; out: (n, OUTPUTS) in the order of ssm-math.gpu.test.ts.

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.n) { return; }
  let p = inputs[4u * i];
  let q = inputs[4u * i + 1u];
  let r = inputs[4u * i + 2u];
  let s = inputs[4u * i + 3u];
  let o = OUTPUTS * i;
  out[o] = ssm_dt(p, q, true);
  out[o + 1u] = ssm_dt(p, q, false);
  out[o + 2u] = ssm_decay(-abs(q), abs(p));
  out[o + 3u] = ssm_decay_log2(-abs(q) * SSM_LOG2E, abs(p));
  out[o + 4u] = ssm_state_step(p, q, r, s);
  out[o + 5u] = ssm_skip(p, q, r);
  out[o + 6u] = ssm_gate(p, q);
  out[o + 7u] = conv_output(p, q, true);
  out[o + 8u] = conv_output(p, q, false);
}
