"""trame-vtk's 3D views on our servers. VTK and trame-vtk are optional (``trame-jupyter[vtk]``; the test
command installs them): these tests are collected only where both are installed."""

import importlib.util

if any(importlib.util.find_spec(name) is None for name in ("vtkmodules", "trame_vtk")):
    collect_ignore_glob = ["test_*.py"]

# The browser tests' fixtures (a real Chromium, servers on a loop thread), shared with tests/browser.
from browser.conftest import context, new_page, page, serve, server_thread  # noqa: F401
