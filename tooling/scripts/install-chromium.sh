#!/usr/bin/env bash
# Installs Debian's Chromium (for the playground end-to-end tests and the bench report render
# check). Never downloads a browser build of its own: only the distribution package (Debian, and
# Ubuntu releases whose apt has a non-snap `chromium`). Idempotent. Exit 1 only when apt fails.
set -euo pipefail
log() { echo "install-chromium: $*"; }
path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$path" ]; then log "$("$path" --version 2>/dev/null | head -1) present at $path"; exit 0; fi
other="install Chromium or Chrome yourself and set CHROMIUM_PATH to it; until then pnpm test lists the browser tests as NOT RUN"
if [ "$(uname -s)" != "Linux" ]; then log "not Linux: $other"; exit 0; fi
if ! command -v apt-get >/dev/null; then log "no apt-get: $other"; exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null; then log "needs root (no sudo): run apt-get install chromium as root, or $other"; exit 0; fi
  sudo="sudo"
fi
$sudo apt-get update -qq
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  # Ubuntu ships Chromium as a snap (chromium-browser), which playwright cannot drive from /tmp.
  log "this distribution's apt has no chromium package (Ubuntu's is a snap): $other"
  exit 0
fi
log "installing the distribution's chromium (apt-get install chromium)"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
log "$(/usr/bin/chromium --version 2>/dev/null | head -1)"
