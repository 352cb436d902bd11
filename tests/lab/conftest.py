"""Fixtures of the front-end tests: a real JupyterLab / Notebook 7 with our extensions, and Chromium.

The extension must be built (``npm --prefix labextension run build:prod``) and installed where the venv's
JupyterLab finds it (a wheel, or ``jupyter labextension develop --overwrite .``); the Vue client must be
built into ``trame_jupyter/static``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .lab_harness import LabServer, start_lab, stop_lab

ROOT = Path(__file__).parents[2]
EXTENSION_NAME = "trame-jupyter"


def installed_extension() -> Path | None:
    """The folder JupyterLab loads our extension from, if it is installed in this environment."""
    from jupyter_core.paths import jupyter_path

    for data_dir in jupyter_path("labextensions"):
        candidate = Path(data_dir) / EXTENSION_NAME / "package.json"
        if candidate.exists():
            return candidate.parent
    return None


@pytest.fixture(scope="session")
def browser(browser: Any) -> Any:
    """The suite's Chromium (tests/conftest.py), once the extension is known to be installed."""
    if installed_extension() is None:
        pytest.fail(
            "the JupyterLab extension is not installed: build it (npm --prefix labextension run build:prod) "
            f"and run `{Path(sys.executable).parent / 'jupyter'} labextension develop --overwrite .`"
        )
    return browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    # Uncaught errors thrown by our extension's code (its files are served under extensions/trame-jupyter/);
    # JupyterLab's and Notebook's own are not ours to fix (Notebook 7.6 throws one at start-up).
    page.errors = []
    page.on("pageerror", lambda error: _record(page.errors, error))
    yield page
    context.close()


def _record(errors: list[str], error: Any) -> None:
    stack = getattr(error, "stack", None) or str(error)
    if f"/extensions/{EXTENSION_NAME}/" in stack:
        errors.append(stack)


def _server(tmp_path_factory: pytest.TempPathFactory, app: str, base_url: str) -> Iterator[LabServer]:
    tmp = tmp_path_factory.mktemp(f"{app}-{base_url.strip('/').replace('/', '-') or 'root'}")
    server = start_lab(tmp, app, base_url)
    try:
        yield server
    finally:
        stop_lab(server)
        if server.process.returncode not in (0, -15, 143):
            print(server.log())  # shown for a failing test only
        shutil.rmtree(server.runtime_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab at base URL ``/``."""
    yield from _server(tmp_path_factory, "lab", "/")


@pytest.fixture(scope="module")
def lab_prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab under a hub-like base URL."""
    yield from _server(tmp_path_factory, "lab", "/user/alice/")


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Notebook 7 at base URL ``/``."""
    yield from _server(tmp_path_factory, "notebook", "/")
