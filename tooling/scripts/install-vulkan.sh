#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) from Debian bookworm-backports, so Dawn
# (npm `webgpu`) finds a WebGPU adapter on a Linux machine without a GPU. Idempotent.
# Why backports: Dawn refuses bookworm's Mesa 22 lavapipe; the 25.x one from backports works.
set -euo pipefail
log() { echo "install-vulkan: $*"; }
if [ "$(uname -s)" != "Linux" ] || [ ! -f /etc/debian_version ]; then
  log "not a Debian/Ubuntu Linux machine; install a Vulkan driver for your GPU yourself"; exit 0
fi
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
src=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  base=/etc/apt/sources.list.d/debian.sources
  if [ -f "$base" ]; then
    log "adding the bookworm-backports apt source (copied from $base)"
    # Keep the first stanza (the main Debian archive) with the suite changed to backports.
    awk 'BEGIN{RS="";ORS="\n\n"} NR==1' "$base" \
      | sed -E 's/^Suites:.*/Suites: bookworm-backports/' | $sudo tee "$src" >/dev/null
  else
    log "adding the bookworm-backports apt source"
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $sudo tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $sudo apt-get update -qq
fi
if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q '^2[5-9]\.'; then
  log "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) already installed"
else
  log "installing mesa-vulkan-drivers and libvulkan1 from bookworm-backports"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  log "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
fi
