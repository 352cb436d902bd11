"""Fixtures: a real ``jupyter server`` with our extension (once per base URL) and a kernel it manages."""

from __future__ import annotations

import pytest
from jupyter_harness import JupyterServer, Kernel, start_jupyter, stop_jupyter


@pytest.fixture(scope="module", params=["/", "/user/alice/"], ids=["base_url=/", "base_url=/user/alice/"])
def jupyter(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> JupyterServer:
    server = start_jupyter(tmp_path_factory.mktemp("jupyter"), request.param)
    yield server
    stop_jupyter(server)


@pytest.fixture(scope="module")
def kernel(jupyter: JupyterServer) -> Kernel:
    started = jupyter.start_kernel()
    yield started
    started.shutdown()
