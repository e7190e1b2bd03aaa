#!/usr/bin/env bash
# One-step setup on a fresh machine: pnpm, dependencies, a WebGPU driver where none is found
# (Linux: Mesa lavapipe from Debian bookworm-backports), on Linux the browser tests' Chromium
# (the distribution's package, tooling/scripts/install-chromium.sh), and a build of every package.
# Idempotent: each step checks first and says what it does.
# Options: --no-chromium (skip Chromium: pnpm test then lists the browser tests as NOT RUN),
# --with-chromium (Chromium is required: a failed install fails the setup; CI passes it),
# --plan (print the steps this machine would get, change nothing), -h/--help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "setup: $*"; }
usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
chromium=default plan=0
for arg in "$@"; do
  case "$arg" in
    --no-chromium) chromium=no ;;
    --with-chromium) chromium=required ;;
    --plan) plan=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: unknown option $arg (have --no-chromium, --with-chromium, --plan, --help)" >&2; exit 2 ;;
  esac
done
os=$(uname -s)
if [ "$chromium" = default ]; then
  if [ "$os" = Linux ]; then chromium=wanted; else chromium=no-os; fi
fi

if [ "$plan" = 1 ]; then
  log "plan: pnpm and dependencies; a WebGPU driver if none is found ($os); build every package"
  case "$chromium" in
    wanted) log "plan: Chromium for the browser tests (default on Linux; --no-chromium skips it)" ;;
    required) log "plan: Chromium for the browser tests (--with-chromium: required)" ;;
    no) log "plan: no Chromium (--no-chromium): pnpm test lists the browser tests as NOT RUN" ;;
    no-os) log "plan: no Chromium ($os: install one and set CHROMIUM_PATH; pnpm test lists the browser tests as NOT RUN until then)" ;;
  esac
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then echo "setup: Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none))" >&2; exit 1; fi

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  log "installing pnpm $pnpm_version (npm i -g pnpm@$pnpm_version)"
  npm i -g "pnpm@$pnpm_version" >/dev/null
fi
log "pnpm $(pnpm --version)"

log "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile --reporter=silent

if node tooling/scripts/probe-webgpu.mjs; then
  :
elif [ "$os" = "Linux" ]; then
  log "no WebGPU adapter found: installing Mesa's software Vulkan driver"
  bash tooling/scripts/install-vulkan.sh
  node tooling/scripts/probe-webgpu.mjs || { echo "setup: still no WebGPU adapter after installing lavapipe" >&2; exit 1; }
else
  log "no WebGPU adapter found; GPU tests and benches will fail until a driver is present"
fi

case "$chromium" in
  required)
    bash tooling/scripts/install-chromium.sh
    [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "setup: --with-chromium: no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}" >&2; exit 1; }
    ;;
  wanted)
    log "Chromium for the browser tests (skip with --no-chromium)"
    bash tooling/scripts/install-chromium.sh || log "WARNING: Chromium was not installed; pnpm test will list the browser tests as NOT RUN"
    ;;
  no) log "no Chromium (--no-chromium): pnpm test will list the browser tests as NOT RUN" ;;
  no-os) log "no Chromium installed on $os: install one and set CHROMIUM_PATH, or pnpm test lists the browser tests as NOT RUN" ;;
esac

log "building every package (pnpm build)"
pnpm build --output-logs=errors-only
log "done. Next: pnpm bench (measure everything) or pnpm test (run every test)"
