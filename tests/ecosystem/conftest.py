"""trame's widget packages are optional (``pip install "trame-jupyter[trame]"`` plus the widget packages):
these tests need them, so they are collected only where they are installed (the test command installs
them; a core-only environment still runs the rest of the suite)."""

import importlib.util

REQUIRED = ("trame_client", "trame_vuetify", "trame_plotly", "trame_matplotlib", "trame_markdown")

if any(importlib.util.find_spec(name) is None for name in REQUIRED):
    collect_ignore_glob = ["test_*.py"]

# The browser tests' fixtures (a real Chromium, servers on a loop thread), shared with tests/browser.
from browser.conftest import context, new_page, page, serve, server_thread  # noqa: E402, F401
