#!/usr/bin/env bash
# Installs the project (scripts/install.sh) and runs every check CI runs: ruff, the JS unit tests of the
# client and the JupyterLab extension (vitest), then the pytest suite (unit, protocol, browser, Jupyter and
# the example notebooks through nbval). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh  # Debian's Chromium, for the browser tests (needs root or sudo once)
bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHON=.venv/bin/python npm test
.venv/bin/python -m pytest "$@"
