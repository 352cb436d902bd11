#!/usr/bin/env bash
# Installs the project (scripts/install.sh) and runs the main job: the example app in a browser.
#   bash scripts/demo.sh            → JupyterLab on notebooks/ (the example notebooks)
#   bash scripts/demo.sh --script   → the standalone example app (python -m trame_jupyter.examples.hello)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
if [ "${1:-}" = "--script" ]; then
  exec .venv/bin/python -m trame_jupyter.examples.hello --port 0
fi
extra=()
if [ "$(id -u)" = "0" ]; then extra+=(--allow-root); fi  # JupyterLab refuses root without it
exec .venv/bin/jupyter lab --notebook-dir=notebooks "${extra[@]}" "$@"
