#!/usr/bin/env bash
# Installs the project (scripts/install.sh) and runs the main job: the example app in a browser.
#   bash scripts/demo.sh            → JupyterLab on a working copy of the example notebooks
#   bash scripts/demo.sh --script   → the standalone example app (python -m trame_jupyter.examples.hello)
# The notebooks are copied once into demo-notebooks/ (git-ignored): saving there never touches the
# tracked notebooks/; delete that folder to start again from the originals.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
if [ "${1:-}" = "--script" ]; then
  exec .venv/bin/python -m trame_jupyter.examples.hello --port 0
fi
if [ ! -d demo-notebooks ]; then
  cp -r notebooks demo-notebooks
  echo "demo: copied notebooks/ to demo-notebooks/ (your working copy)"
fi
extra=()
if [ "$(id -u)" = "0" ]; then extra+=(--allow-root); fi  # JupyterLab refuses root without it
exec .venv/bin/jupyter lab --notebook-dir=demo-notebooks "${extra[@]}" "$@"
