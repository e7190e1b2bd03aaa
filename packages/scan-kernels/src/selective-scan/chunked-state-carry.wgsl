// Library `chunked-scan/state-carry`: the state a workgroup of v2-chunked or the training forward
// carries from one stretch of time to the next, per channel of its block, in workgroup memory;
// read from `state` at the start (with FLAG_INIT) and written back to it at the end.
// Contract with the kernel that includes it: the constants CHANNELS, WG_SIZE, MAX_STATE and
// FLAG_INIT, the Params fields d_inner, d_state, n_pad and flags, and the read_write binding
// `state` (batch, dInner, dState). Uses `chunked-scan/channel` (ScanChannel).

// carry[g * MAX_STATE + n]: the state n of channel d0 + g entering the current stretch.
var<workgroup> carry: array<f32, CHANNELS * MAX_STATE>;

// carry = the initial states of the block's channels with FLAG_INIT, else 0; padded states
// (dState up to n_pad) 0. The kernel puts a barrier after it.
fn carry_init(lid: u32, ch: ScanChannel) {
  let has_init = (params.flags & FLAG_INIT) != 0u;
  for (var p = lid; p < CHANNELS * params.n_pad; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    var v = 0.0;
    if (has_init && ch.group_ok && ch.d0 + gg < params.d_inner && n < params.d_state) {
      v = state[(ch.b * params.d_inner + ch.d0 + gg) * params.d_state + n];
    }
    carry[gg * MAX_STATE + n] = v;
  }
}

// state = carry for the block's channels: their last states.
fn carry_store(lid: u32, ch: ScanChannel) {
  for (var p = lid; p < CHANNELS * params.d_state; p += WG_SIZE) {
    let gg = p % CHANNELS;
    let n = p / CHANNELS;
    if (ch.group_ok && ch.d0 + gg < params.d_inner) {
      state[(ch.b * params.d_inner + ch.d0 + gg) * params.d_state + n] = carry[gg * MAX_STATE + n];
    }
  }
}
