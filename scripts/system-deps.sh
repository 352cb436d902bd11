#!/usr/bin/env bash
# Installs what the machine itself needs for the browser tests: Debian's Chromium.
# Playwright drives it through executable_path=/usr/bin/chromium (it cannot download its own browser here).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: /usr/bin/chromium is missing and this user cannot install it (no root, no sudo)." >&2
    echo "system-deps: install Debian's 'chromium' package, then re-run." >&2
    exit 1
  fi
fi

echo "system-deps: installing Debian's chromium (for the browser tests)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version
