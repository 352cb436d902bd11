"""What a test reads off a view in JupyterLab: its notice, its snapshot, its frame, its requests, screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .lab_harness import NOTEBOOK

# Where the screenshots go (as in test_notebooks.py): $TRAME_JUPYTER_ARTIFACTS, else <repo>/test-artifacts.
ARTIFACTS = Path(os.environ.get("TRAME_JUPYTER_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"


def screenshot(page: Any, name: str, index: int = 0) -> None:
    """Save the outputs of cell ``index`` (and the page) as ``test-artifacts/screenshots/<name>.png``."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    outputs = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-Cell-outputWrapper")
    outputs.screenshot(path=folder / f"{name}.png")
    page.screenshot(path=folder / f"{name}-page.png")


def server_id_of(output: Any) -> str:
    """The server id of a live view (its frame's address names it)."""
    src = output.locator(".trame-jupyter-frame").get_attribute("src")
    return src.split("/trame-jupyter/")[1].split("/")[0]


def record_requests(page: Any, server_id: str) -> list[tuple[str, int | None]]:
    """Every request the page makes from now on under ``trame-jupyter/<server_id>/``, with its status."""
    seen: list[tuple[str, int | None]] = []
    prefix = f"/trame-jupyter/{server_id}/"
    page.on("requestfinished", lambda r: seen.append((r.url, r.response().status)) if prefix in r.url else None)
    page.on("requestfailed", lambda r: seen.append((r.url, None)) if prefix in r.url else None)
    return seen


def assert_one_notice(output: Any, wording: str, action: str = "Re-run") -> None:
    """The view shows its snapshot, not its frame, under exactly one notice with one action: Re-run (the
    kernel still has what the cells above defined) or Run to here (it lost that)."""
    notices = output.locator(".trame-jupyter-state-notice:visible")
    assert notices.count() == 1, notices.all_inner_texts()
    text = notices.first.inner_text()
    assert wording in text.lower(), text
    assert "start a kernel" not in output.inner_text().lower()
    assert [text.strip() for text in notices.first.locator("button:visible").all_inner_texts()] == [action]
    assert output.locator(".trame-jupyter-frame").is_hidden()  # no dead frame, in sight or not
    assert output.locator(".trame-jupyter-frame").get_attribute("src") in (None, "about:blank")
    assert output.locator(".trame-jupyter-snapshot").is_visible()
    assert output.locator(".trame-jupyter-state-label").is_hidden()  # the toolbar does not say it again
    box = notices.first.bounding_box()
    assert box and box["height"] >= 18, box  # a line of its own: nothing clips it


def snapshot_text(output: Any) -> str:
    return output.locator(".trame-jupyter-snapshot").inner_text()


def snapshot_input(output: Any, css_class: str) -> str | None:
    return output.locator(f".trame-jupyter-snapshot input.{css_class}").get_attribute("value")


def app_frame(page: Any) -> Any:
    return page.frame_locator(".jp-Notebook .trame-jupyter-frame").first


def kernel_id(page: Any) -> str:
    return page.evaluate(f"() => {NOTEBOOK}.sessionContext.session.kernel.id")


def not_found(requests: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    return [(url, status) for url, status in requests if status is None or status >= 400]
