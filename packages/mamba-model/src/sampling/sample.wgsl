// Token sampler: one workgroup per batch row picks the next id from that row's logits, on the GPU.
// logits: (batch, vocab) f32, row stride params.row_stride; presence: (batch, words) u32 bitmap of
// tokens seen (prompt + generated), updated here with the new id; next_ids: (batch) i32;
// tokens: (ring, batch) i32, step-major ring: the id is also stored at row `step % ring`;
// steps: (batch) u32, the per-row step counter, read here and advanced by one (so a recorded
// decode step can be replayed unchanged).
// config: (batch) Config, each row's sampling settings, a storage buffer written per generation
// (or per row, when a row joins a running batch), so that a captured dispatch serves every setting.
// Order as Hugging Face applies processors/warpers: repetition penalty, temperature, top-k, top-p,
// min-p. Thresholds are found by bisection over the bit patterns of positive f32 probabilities
// (monotone), so top-k keeps exactly the values >= the k-th largest (ties kept, as torch.topk +
// `<` mask). The draw comes from a counter-based hash of (seed, step, rng_row): no RNG state; a row's
// rng_row is set with its settings (not its position), so its draws do not depend on its slot.
// Non-finite logits: a NaN or +-Inf logit is excluded (never chosen, probability 0), as if it were
// -inf; a row with no finite logit gets id 0. Either way the id stays in the vocabulary, and
// status: (batch, 2) u32 records, per row, the first step whose logits held a NaN (bit 0) or a +Inf
// (bit 1), or no finite logit at all (bit 2), and the OR of those bits, for the host to raise an
// error. -Inf alone is not flagged (it is a masked token).

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> presence: array<u32>;
@group(0) @binding(3) var<storage, read_write> next_ids: array<i32>;
@group(0) @binding(4) var<storage, read_write> tokens: array<i32>;
@group(0) @binding(5) var<storage, read_write> steps: array<u32>;
@group(0) @binding(6) var<storage, read> config: array<Config>;
@group(0) @binding(7) var<storage, read_write> status: array<u32>;

var<workgroup> red_f: array<f32, WG>;
var<workgroup> red_u: array<u32, WG>;
var<workgroup> shared_threshold: f32;
var<workgroup> bad_kinds: atomic<u32>;

const F32_MAX: f32 = 0x1.fffffep+127f;
/** The penalised logit of an excluded token (NaN or +-Inf): below every finite logit's value. */
const EXCLUDED: f32 = -0x1.fffffep+127f;
const NO_STEP: u32 = 0xffffffffu;

// Status bits of a logit, from its bit pattern (WGSL lets compilers assume floats are finite, so
// `x != x` may be folded away): 1 NaN, 2 +Inf, 0 otherwise (-Inf included).
fn non_finite_kind(x: f32) -> u32 {
  let bits = bitcast<u32>(x);
  if ((bits & 0x7f800000u) != 0x7f800000u) { return 0u; }
  if ((bits & 0x007fffffu) != 0u) { return 1u; }
  return select(2u, 0u, (bits & 0x80000000u) != 0u);
}

fn penalized(row: u32, i: u32) -> f32 {
  var l = logits[row * params.row_stride + i];
  if ((bitcast<u32>(l) & 0x7f800000u) == 0x7f800000u) { return EXCLUDED; }
  let penalty = config[row].penalty;
  if (penalty != 1.0) {
    let seen = (presence[row * params.words + (i >> 5u)] >> (i & 31u)) & 1u;
    if (seen == 1u) { l = select(l / penalty, l * penalty, l < 0.0); }
  }
  // A penalty may overflow a finite logit: keep it finite (and above EXCLUDED when positive).
  return clamp(l, EXCLUDED, F32_MAX);
}

fn reduce_sum(lid: u32, v: f32) -> f32 {
  workgroupBarrier();
  red_f[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red_f[lid] += red_f[lid + s]; }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&red_f[0]);
}

fn reduce_count(lid: u32, v: u32) -> u32 {
  workgroupBarrier();
  red_u[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red_u[lid] += red_u[lid + s]; }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&red_u[0]);
}

// Probability (unnormalised: the top token has 1) of token i.
fn prob(row: u32, i: u32, max_logit: f32) -> f32 {
  let l = penalized(row, i);
  if (l == EXCLUDED) { return 0.0; }
  return exp((l - max_logit) / config[row].temperature);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x;
  let vocab = params.vocab;
  let step = steps[row];
  let settings = config[row];
  // 1. max and first argmax of the penalised logits (excluded ones never win: l > EXCLUDED fails),
  // and the non-finite kinds seen.
  var best = EXCLUDED;
  var best_i = 0xffffffffu;
  var kinds = 0u;
  for (var i = lid; i < vocab; i += WG) {
    kinds |= non_finite_kind(logits[row * params.row_stride + i]);
    let l = penalized(row, i);
    if (l > best) { best = l; best_i = i; }
  }
  if (kinds != 0u) { atomicOr(&bad_kinds, kinds); }
  red_f[lid] = best;
  red_u[lid] = best_i;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let ob = red_f[lid + s];
      let oi = red_u[lid + s];
      if (ob > red_f[lid] || (ob == red_f[lid] && oi < red_u[lid])) { red_f[lid] = ob; red_u[lid] = oi; }
    }
    workgroupBarrier();
  }
  let max_logit = red_f[0];
  // No finite logit at all: a defined id (0), flagged below.
  let none_finite = workgroupUniformLoad(&red_u[0]) == 0xffffffffu;
  var chosen = select(red_u[0], 0u, none_finite);

  if (settings.temperature > 0.0 && !none_finite) {
    // 2. thresholds. Bit patterns of probabilities in (0, 1] lie in [1, 0x3f800000].
    var threshold = 0.0;
    if (settings.top_k > 0u && settings.top_k < vocab) {
      var lo = 0u;            // count(p >= lo) >= k always holds
      var hi = 0x3f800001u;   // count(p >= hi) == 0 < k
      loop {
        if (hi - lo <= 1u) { break; }
        let mid = lo + (hi - lo) / 2u;
        let t = bitcast<f32>(mid);
        var c = 0u;
        for (var i = lid; i < vocab; i += WG) { c += select(0u, 1u, prob(row, i, max_logit) >= t); }
        if (reduce_count(lid, c) >= settings.top_k) { lo = mid; } else { hi = mid; }
      }
      threshold = bitcast<f32>(lo);
    }
    if (settings.top_p < 1.0) {
      var m = 0.0;
      for (var i = lid; i < vocab; i += WG) {
        let p = prob(row, i, max_logit);
        m += select(0.0, p, p >= threshold);
      }
      let mass_target = settings.top_p * reduce_sum(lid, m);
      var lo = bitcast<u32>(threshold);
      var hi = 0x3f800001u;
      loop {
        if (hi - lo <= 1u) { break; }
        let mid = lo + (hi - lo) / 2u;
        let t = bitcast<f32>(mid);
        var s = 0.0;
        for (var i = lid; i < vocab; i += WG) {
          let p = prob(row, i, max_logit);
          s += select(0.0, p, p >= t);
        }
        if (reduce_sum(lid, s) >= mass_target) { lo = mid; } else { hi = mid; }
      }
      threshold = max(threshold, bitcast<f32>(lo));
    }
    threshold = max(threshold, settings.min_p);

    // 3. inverse-CDF draw over the kept tokens, in index order: each thread owns a contiguous chunk.
    let chunk = (vocab + WG - 1u) / WG;
    let start = min(lid * chunk, vocab);
    let end = min(start + chunk, vocab);
    var local_sum = 0.0;
    var last_kept = 0xffffffffu;
    for (var i = start; i < end; i++) {
      let p = prob(row, i, max_logit);
      // p > 0: a token of probability 0 (excluded, or underflowed) is never the fallback pick.
      if (p >= threshold && p > 0.0) { local_sum += p; last_kept = i; }
    }
    // Inclusive scan of chunk sums (Hillis-Steele).
    workgroupBarrier();
    red_f[lid] = local_sum;
    workgroupBarrier();
    for (var off = 1u; off < WG; off <<= 1u) {
      let add = select(0.0, red_f[lid - off], lid >= off);
      workgroupBarrier();
      red_f[lid] += add;
      workgroupBarrier();
    }
    let inclusive = red_f[lid];
    let total = red_f[WG - 1u];
    let r = uniform_draw(settings.seed, step, settings.rng_row) * total;
    // Fallback when rounding leaves r past every prefix: the last kept token overall.
    workgroupBarrier();
    red_u[lid] = select(0u, last_kept + 1u, last_kept != 0xffffffffu);
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
      if (lid < s) { red_u[lid] = max(red_u[lid], red_u[lid + s]); }
      workgroupBarrier();
    }
    let fallback = red_u[0] - 1u;
    workgroupBarrier();
    red_u[lid] = 0xffffffffu;
    let before = inclusive - local_sum;
    if (r >= before && r < inclusive) {
      var acc = before;
      for (var i = start; i < end; i++) {
        let p = prob(row, i, max_logit);
        if (p >= threshold) {
          acc += p;
          if (r < acc) { red_u[lid] = i; break; }
        }
      }
      if (red_u[lid] == 0xffffffffu) { red_u[lid] = last_kept; }
    }
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
      if (lid < s) { red_u[lid] = min(red_u[lid], red_u[lid + s]); }
      workgroupBarrier();
    }
    chosen = select(red_u[0], fallback, red_u[0] == 0xffffffffu);
  }

  if (lid == 0u) {
    let flags = atomicLoad(&bad_kinds) | select(0u, 4u, none_finite);
    if (flags != 0u) {
      if (status[2u * row] == NO_STEP) { status[2u * row] = step; }
      status[2u * row + 1u] = status[2u * row + 1u] | flags;
    }
    next_ids[row] = i32(chosen);
    tokens[(step % params.ring) * params.batch + row] = i32(chosen);
    steps[row] = step + 1u;
    let w = row * params.words + (chosen >> 5u);
    presence[w] = presence[w] | (1u << (chosen & 31u));
  }
}
