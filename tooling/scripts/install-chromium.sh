#!/usr/bin/env bash
# Installs Debian's Chromium (for the playground end-to-end test and the bench report render
# check). Never downloads a browser build of its own: only the distribution package. Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1) present"; exit 0; fi
if ! command -v apt-get >/dev/null; then echo "install-chromium: no apt-get; install Chromium yourself (tests that need it will say so)"; exit 0; fi
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-chromium: installing Debian's chromium"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
