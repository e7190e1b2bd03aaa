#!/usr/bin/env bash
# The paper's three task runs in parallel on one H200 (each uses a fraction of the GPU), results
# re-tarred into $OUT/all.tgz every 30 s (the device brings back few files, and a command cut off
# at its limit still returns what is under $OUT). Carry .gpu and apps/bench/.bench-out:
#   GIT_COMMIT=<sha> bash tooling/scripts/h200-tasks.sh "<args a>" "<args b>" "<args c>"
# where each argument is one task-results.mjs argument list, e.g. "--only induction-heads-s6".
set -u
source .gpu/remote.sh >/dev/null
: "${GIT_COMMIT:?set GIT_COMMIT to the commit the bundles were built from}"
export GIT_COMMIT
T=apps/bench/.bench-out/task-results.mjs
R=$OUT/r
mkdir -p "$R"
pids=()
i=0
for args in "$@"; do
  i=$((i + 1))
  d=$R/run$i
  mkdir -p "$d"
  echo "$args" >"$d/args.txt"
  # shellcheck disable=SC2086
  (timeout "${LIMIT:-560}" node $T $args --results "$d" --page "$d/page.md" >"$d/log.txt" 2>&1
   echo "run$i rc $?" >>"$R/laps.txt") &
  pids+=($!)
done
(while sleep 30; do (cd "$OUT" && tar czf all.tgz.tmp r && mv all.tgz.tmp all.tgz); done) &
ticker=$!
wait "${pids[@]}"
kill "$ticker"
(cd "$OUT" && tar czf all.tgz.tmp r && mv all.tgz.tmp all.tgz)
cat "$R/laps.txt"
for d in "$R"/run*; do tail -n 3 "$d/log.txt"; done
