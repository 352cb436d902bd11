"""The JupyterLab / Notebook 7 tests' page: a large window, patient timeouts, our extension's errors kept.

One tab per test process serves every test in turn, as one user's browser tab would: a test opens its notebook
in the JupyterLab an earlier test left in the tab (``lab_harness.open_notebook`` closes the earlier documents
first), or navigates the tab where it needs to go. Starting JupyterLab costs about 5 s of CPU, opening a
notebook in a started one about 1 s, and almost every test of this folder opens a notebook.

Every other fixture (Chromium, the Lab servers) is the suite's plugin's (``tests/support/plugin.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.lab_harness import EXTENSION_NAME, close_documents, installed_extension


@pytest.fixture(scope="session")
def _lab_tab(browser: Any) -> Iterator[Any]:
    if installed_extension() is None:
        pytest.fail(
            "the JupyterLab extension is not installed: build it (npm run build:prod) "
            f"and run `{Path(sys.executable).parent / 'jupyter'} labextension develop --overwrite .`"
        )
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.errors = []
    # Uncaught errors thrown by our extension's code (its files are served under extensions/trame-jupyter/);
    # JupyterLab's and Notebook's own are not ours to fix (Notebook 7.6 throws one at start-up).
    tab.on("pageerror", lambda error: _record(tab.errors, error))
    # Leaving a notebook with unsaved outputs asks "leave the page?": the next test's navigation says yes.
    # Any other dialog is dismissed, as Playwright does when nobody listens.
    tab.on("dialog", lambda dialog: dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())
    yield tab
    context.close()


@pytest.fixture
def page(_lab_tab: Any) -> Iterator[Any]:
    _lab_tab.errors = []
    yield _lab_tab
    for other in _lab_tab.context.pages:  # tabs the test opened (a view "in a new browser tab")
        if other is not _lab_tab:
            other.close()
    try:
        if _lab_tab.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell)"):
            close_documents(_lab_tab)  # the next test starts from an empty JupyterLab
            return
    except Exception:  # a page in the middle of navigating, or broken by the test: start afresh
        pass
    _lab_tab.goto("about:blank")


def _record(errors: list[str], error: Any) -> None:
    stack = getattr(error, "stack", None) or str(error)
    if f"/extensions/{EXTENSION_NAME}/" in stack:
        errors.append(stack)
