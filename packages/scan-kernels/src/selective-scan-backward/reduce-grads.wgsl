// The fixed-order reductions that finish the backward: dB and dC summed over the channel blocks'
// partials, dA, dD and dDeltaBias summed over the batch. One invocation per output element, each
// adding its terms in index order, so the result does not depend on scheduling.
// dbc: dB partials (batch, n_blocks, dState, seqLen) at 0, dC partials at dbc_c; d_b, d_c:
// (batch, dState, seqLen); work: dA partials (batch, dInner, dState) at ws_da, dD / dDeltaBias
// partials (batch, dInner, 2) at ws_dchan; writes dA (dInner, dState), dD (dInner) and
// dDeltaBias (dInner) to work at ws_out, ws_out + dInner * dState and ws_out + dInner * (dState + 1).

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * groups.x) * WORKGROUP + lid;
  let plane = params.d_state * params.seq_len;
  let bnl = params.batch * plane;
  let dn = params.d_inner * params.d_state;
  if (i < 2u * bnl) {
    let is_c = i >= bnl;
    let e = select(i, i - bnl, is_c);
    let b = e / plane;
    let rest = e % plane;
    let base = select(0u, params.dbc_c, is_c) + b * params.n_blocks * plane + rest;
    var s = 0.0;
    for (var blk = 0u; blk < params.n_blocks; blk++) {
      s += dbc[base + blk * plane];
    }
    if (is_c) { d_c[e] = s; } else { d_b[e] = s; }
  } else if (i < 2u * bnl + dn) {
    let e = i - 2u * bnl;
    var s = 0.0;
    for (var b = 0u; b < params.batch; b++) {
      s += work[params.ws_da + b * dn + e];
    }
    work[params.ws_out + e] = s;
  } else if (i < 2u * bnl + dn + 2u * params.d_inner) {
    let e = i - 2u * bnl - dn;
    let which = e / params.d_inner;
    let d = e % params.d_inner;
    var s = 0.0;
    for (var b = 0u; b < params.batch; b++) {
      s += work[params.ws_dchan + (b * params.d_inner + d) * 2u + which];
    }
    work[params.ws_out + dn + e] = s;
  }
}
