"""The JupyterLab / Notebook 7 tests' page: a large window, patient timeouts, our extension's errors kept.

Every other fixture (Chromium, the Lab servers) is the suite's plugin's (``tests/support/plugin.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.lab_harness import EXTENSION_NAME, installed_extension


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    if installed_extension() is None:
        pytest.fail(
            "the JupyterLab extension is not installed: build it (npm run build:prod) "
            f"and run `{Path(sys.executable).parent / 'jupyter'} labextension develop --overwrite .`"
        )
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
