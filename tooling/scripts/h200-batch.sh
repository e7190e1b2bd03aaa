#!/usr/bin/env bash
# Several H200 measurements in one device command (device time is scarce; each call costs a
# machine start). Run on the GPU machine from the repo root, carrying .gpu, apps/bench/dist and
# apps/bench/.bench-out (built here first: see docs/benchmarks/README.md):
#   GIT_COMMIT=<sha> DEADLINE=480 bash tooling/scripts/h200-batch.sh profile-train train scan tune
# Steps (in the order given): headline (scan, model, train and tokenizer in one bench run: the
# result `pnpm bench:headline` reads; the tokenizer suite last, because the model suite's short
# prefill measured after it reads low, see docs/perf-notes.md), order-check (tokenizer then
# model, the order that reads low, for comparison), tokenizer (alone), quant (decode per weight dtype), load (a 2.8b
# checkpoint from disk: GB/s, peak RSS), profile-2.8b (where a mamba-2.8b q4 decode step goes),
# tune-decode (the decode step's kernels at 130m and 2.8b shapes, f32 and q4), profile-train, train, scan, model, serve, tune, tune-train,
# tune-scan-bwd. Each step's
# output and JSON go to $OUT/r/, re-tarred into $OUT/all.tgz after every step (the device brings
# back only a few files, and a command cut off at its limit still returns what is under $OUT). A
# step starts only while DEADLINE seconds (default 480) have not passed, and is cut off at them.
set -u
source .gpu/remote.sh >/dev/null
R=$OUT/r
mkdir -p "$R"
: "${GIT_COMMIT:?set GIT_COMMIT to the commit the bundles were built from}"
export GIT_COMMIT
t0=$(date +%s)
DEADLINE=${DEADLINE:-480}
B=apps/bench/.bench-out
step() { # name limit command...
  local name=$1 limit=$2
  shift 2
  local left=$((DEADLINE - ($(date +%s) - t0)))
  if [ "$left" -lt 20 ]; then echo "[$name] skipped: deadline" >>"$R/laps.txt"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  timeout "$limit" "$@" >"$R/$name.log" 2>&1
  echo "[$name] rc $? at $(($(date +%s) - t0)) s" >>"$R/laps.txt"
  (cd "$OUT" && tar czf all.tgz.tmp r && mv all.tgz.tmp all.tgz)
}
for s in "$@"; do
  case $s in
    headline) step "$s" 470 node apps/bench/dist/cli.js --suite scan,model,train,tokenizer --budget 45 --json "$R/bench.json" --report "$R/bench.html" --markdown "$R/bench.md" ;;
    order-check) step "$s" 120 node apps/bench/dist/cli.js --suite tokenizer,model --budget 30 --json "$R/order.json" --markdown "$R/order.md" ;;
    tune-decode) step "$s" 240 env OUT="$R" node $B/tune-decode.mjs ;;
    profile-2.8b) step "$s" 150 env PROFILE_CONFIG=2.8b PROFILE_DTYPE=q4 node $B/profile-model.mjs ;;
    profile-train) step "$s" 60 env OUT="$R" node $B/profile-train.mjs ;;
    train) step "$s" 150 node apps/bench/dist/cli.js --suite train --json "$R/train.json" --markdown "$R/train.md" ;;
    scan) step "$s" 60 node apps/bench/dist/cli.js --suite scan --budget 20 --json "$R/scan.json" --markdown "$R/scan.md" ;;
    model) step "$s" 200 node apps/bench/dist/cli.js --suite model --budget 60 --json "$R/model.json" --markdown "$R/model.md" ;;
    tokenizer) step "$s" 90 node apps/bench/dist/cli.js --suite tokenizer --budget 30 --json "$R/tokenizer.json" --markdown "$R/tokenizer.md" ;;
    quant) step "$s" 300 node apps/bench/dist/cli.js --suite quant --budget 150 --json "$R/quant.json" --markdown "$R/quant.md" ;;
    load) step "$s" 240 node apps/bench/dist/cli.js --suite load --budget 200 --json "$R/load.json" --markdown "$R/load.md" ;;
    serve) step "$s" 120 node apps/bench/dist/cli.js --suite serve --budget 60 --json "$R/serve.json" --markdown "$R/serve.md" ;;
    tune) step "$s" 80 env OUT="$R" node $B/tune-matmul.mjs ;;
    tune-train) step "$s" 110 env OUT="$R" TUNE_SHAPES=train node $B/tune-matmul.mjs ;;
    tune-scan-bwd) step "$s" 120 env OUT="$R" node $B/tune-scan-backward.mjs ;;
    *) echo "[$s] unknown step" >>"$R/laps.txt" ;;
  esac
done
cat "$R/laps.txt"
