// Cross-entropy over rows of logits, forward and backward at once, in place: for row r with
// target t (or IGNORE: no loss, no gradient), lse = logsumexp(logits[r, :]),
//   losses[r] = (lse - logits[r, t]) * scale
//   logits[r, j] <- (exp(logits[r, j] - lse) - [j == t]) * scale     (d loss / d logits)
// scale = 1 / (number of counted targets): the loss is the mean, the gradient that of the mean.
// logits: (rows, vocab) read_write; targets: (rows) i32; losses: (tokens), this chunk's rows
// from loss_offset.
// One workgroup of REDUCE_THREADS threads per row.

@compute @workgroup_size(REDUCE_THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) { return; }
  let base = row * params.vocab;
  let label_id = targets[row];
  var m = -3.4e38;
  for (var j = lid; j < params.vocab; j += REDUCE_THREADS) { m = max(m, logits[base + j]); }
  m = workgroup_max(m, lid);
  var s = 0.0;
  for (var j = lid; j < params.vocab; j += REDUCE_THREADS) { s += exp(logits[base + j] - m); }
  let lse = m + log(workgroup_sum(s, lid));
  let counted = label_id != params.ignore_index;
  if (lid == 0u) {
    losses[params.loss_offset + row] = select(0.0, (lse - logits[base + u32(label_id)]) * params.scale, counted);
  }
  // Every thread has read what it needs of this row before any element is overwritten: thread
  // lid's writes below touch only the elements it read itself, except the target's logit,
  // read by thread 0 above; the barrier orders that read before the writes.
  workgroupBarrier();
  for (var j = lid; j < params.vocab; j += REDUCE_THREADS) {
    let p = exp(logits[base + j] - lse);
    let g = select(p, p - 1.0, counted && j == u32(label_id));
    logits[base + j] = select(0.0, g * params.scale, counted);
  }
}
