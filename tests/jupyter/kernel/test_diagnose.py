"""``trame_jupyter.diagnose()`` in a real kernel under a real Jupyter server."""

from __future__ import annotations

import json

import pytest
from support.kernel_apps import show_app

pytestmark = pytest.mark.jupyter


def test_diagnose_reports_environment_transport_extension_and_servers(jupyter, kernel):
    show_app(kernel, "diag")
    out = kernel.execute("import trame_jupyter\ntrame_jupyter.diagnose()").stdout
    assert "Jupyter kernel: yes" in out
    assert kernel.kernel_id in out
    assert "server extension: answered" in out
    assert "diag" in out and "jupyter-proxy" in out


def test_diagnose_tells_a_stale_runtime_file_from_a_missing_extension(jupyter, kernel):
    """A runtime file left by a Jupyter server that exited can name a live pid (reused) and a port where
    another server answers: that is no reason to reinstall anything."""
    stale = jupyter.runtime_dir / "jpserver-424242.json"
    stale.write_text(
        json.dumps({"url": jupyter.url, "token": "not-its-token", "pid": jupyter.process.pid, "base_url": "/"})
    )
    try:
        out = kernel.execute("import trame_jupyter\ntrame_jupyter.diagnose()").stdout
    finally:
        stale.unlink()
    lines = [line for line in out.splitlines() if "server extension:" in line]
    assert len(lines) == 2, out
    stale_line = next(line for line in lines if "left over" in line)
    assert str(stale) in stale_line and "pip install" not in stale_line
    assert any("answered (trame_jupyter" in line for line in lines)
