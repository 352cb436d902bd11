#!/usr/bin/env bash
# Runs trame-server's own tests against trame_jupyter, through the import shim in tests/conformance/shim
# (trame_server.State, Controller, Translator, Server and trame.app map to ours). Not part of CI: CI has
# no copy of those tests (PyPI's sdist has none, and nothing of them is committed here).
#   bash scripts/trame-server-conformance.sh /path/to/trame-server   (a checkout: its tests/ is used)
# Excluded, out of scope: test_client.py (trame-server's Python client), test_typed_state*.py
# (TypedState), test_utils.py (trame-server's internal helpers). Expected failures, by design: see
# docs/protocol.md "Where we differ" (vue2 client type; a busy port raises from start()).
set -euo pipefail
cd "$(dirname "$0")/.."
upstream="${1:?usage: $0 /path/to/trame-server-checkout}"
[ -d "$upstream/tests" ] || { echo "no tests/ in $upstream" >&2; exit 2; }
.venv/bin/python -c "import pytest_asyncio" 2>/dev/null || .venv/bin/pip install -q pytest-asyncio
shim="$(pwd)/tests/conformance/shim"
cd "$upstream"
PYTHONPATH="$shim" exec "$OLDPWD/.venv/bin/python" -m pytest -q -o addopts="-ra" \
  -o asyncio_default_fixture_loop_scope=function -W error tests \
  --ignore=tests/test_client.py --ignore=tests/test_typed_state.py \
  --ignore=tests/test_typed_state_future_annotations.py --ignore=tests/test_utils.py "${@:2}"
