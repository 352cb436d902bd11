#!/usr/bin/env bash
# Installs the project, idempotently, on a fresh machine: a virtualenv in .venv and the package in
# editable mode with its test extras. The editable build runs `npm install` and `npm run build:prod` at
# the root of the npm workspace (shared code, browser client, JupyterLab extension); it is re-run only
# when a Python or JS source changed since the last install. Nothing here needs root: the tests' system
# package (Chromium) is scripts/test.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi

stamp=.venv/.trame-jupyter-install-stamp
changed=$(find pyproject.toml package.json package-lock.json common client labextension jupyter-config \
  -newer "$stamp" -not -path '*/node_modules/*' -not -path 'common/lib/*' -not -path 'labextension/lib/*' \
  -type f 2>/dev/null | head -1 || true)
if [ ! -f "$stamp" ] || [ -n "$changed" ] || [ ! -f trame_jupyter/static/index.html ]; then
  echo "install: building and installing trame-jupyter (editable, with test extras)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  touch "$stamp"
else
  echo "install: up to date (no source changed since the last install)"
fi
