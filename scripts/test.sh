#!/usr/bin/env bash
# Installs the project (scripts/install.sh) and runs every check CI runs: ruff, the JS unit tests of the
# client and the JupyterLab extension (vitest), then the pytest suite (unit, protocol, browser, Jupyter and
# the example notebooks through nbval). Arguments go to pytest.
# pytest runs in 3 processes (pytest-xdist; TRAME_JUPYTER_TEST_WORKERS to change it, 0 for one process): each
# test file runs whole in one of them, the slowest files first (tests/support/plugin.py). On 2 cores, 3 beat
# 2 and 4 (measured: 6:16, 6:33 and 6:45 of pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh  # Debian's Chromium, for the browser tests (needs root or sudo once)
bash scripts/install.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHON=.venv/bin/python npm test
.venv/bin/python -m pytest -n "${TRAME_JUPYTER_TEST_WORKERS:-3}" "$@"
