#!/usr/bin/env bash
# One-step setup on a fresh machine: pnpm, dependencies, a WebGPU driver where none is found
# (Linux: Mesa lavapipe from Debian bookworm-backports), and a build of every package.
# Idempotent: each step checks first and says what it does. Options: --with-chromium (also install
# Debian's Chromium for the browser tests; CI passes it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "setup: $*"; }
want_chromium=0
for arg in "$@"; do [ "$arg" = "--with-chromium" ] && want_chromium=1; done

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
elif [ "$(uname -s)" = "Linux" ]; then
  log "no WebGPU adapter found: installing Mesa's software Vulkan driver"
  bash tooling/scripts/install-vulkan.sh
  node tooling/scripts/probe-webgpu.mjs || { echo "setup: still no WebGPU adapter after installing lavapipe" >&2; exit 1; }
else
  log "no WebGPU adapter found; GPU tests and benches will fail until a driver is present"
fi

if [ "$want_chromium" = 1 ]; then bash tooling/scripts/install-chromium.sh; fi

log "building every package (pnpm build)"
pnpm build --output-logs=errors-only
log "done. Next: pnpm bench (measure everything) or pnpm test (run every test)"
