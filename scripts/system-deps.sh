#!/usr/bin/env bash
# Installs what the machine itself needs for the tests, from Debian's packages:
# - chromium: Playwright drives it through executable_path=/usr/bin/chromium (it cannot download its own);
# - Mesa's offscreen OpenGL (EGL and OSMesa): VTK renders the remote 3D views in the kernel without a display.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libOSMesa\.so' || missing+=(libosmesa6)
have_lib 'libEGL\.so\.1' || missing+=(libegl1)
[ -d /usr/lib/x86_64-linux-gnu/dri ] || [ -d /usr/lib/aarch64-linux-gnu/dri ] || missing+=(libgl1-mesa-dri)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: missing Debian packages: ${missing[*]}; this user cannot install them (no root, no sudo)." >&2
    echo "system-deps: install them, then re-run." >&2
    exit 1
  fi
fi

echo "system-deps: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -x /usr/bin/chromium ] && /usr/bin/chromium --version
