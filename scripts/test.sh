#!/usr/bin/env bash
# Installs the project (scripts/install.sh) and runs every check CI runs: ruff, then the pytest suite
# (unit, protocol, browser, Jupyter and the example notebooks through nbval).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
