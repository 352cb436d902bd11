"""The example notebooks as a newcomer meets them: open one in JupyterLab (or Notebook 7), Run All, and
every cell passes, every app is live and answers a real interaction through its page.

Each test writes a screenshot of the notebook after Run All to ``$TRAME_JUPYTER_ARTIFACTS/screenshots/``
(default ``<repo>/test-artifacts``): ``lab-<notebook>.png`` and ``nb7-<notebook>.png``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from support.lab_views import SCREENSHOTS
from support.lab_harness import (
    LabServer,
    app_frame,
    cell_outputs,
    frame_height,
    open_notebook,
    run_all,
    screenshot_notebook,
    shutdown_kernels,
    unrun_cells,
    view,
    view_states,
    wait_views_live,
)

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "notebooks"
COMPANIONS = ["app.py"]  # files next to the notebooks that they read or import


def text_of(frame: Any, selector: str, text: str) -> None:
    """Wait until an element of the app's page shows exactly ``text`` (give or take surrounding spaces)."""
    frame.locator(selector).filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first.wait_for()


# -- one interaction per notebook, through the app's page ------------------------------------------


def getting_started(page: Any) -> None:
    """The button calls the trigger (the count comes back from Python); the slider sets the label."""
    frame = app_frame(view(page, 3))
    text_of(frame, "span", "clicked 101 times")  # where the notebook's cells left it
    frame.get_by_role("button", name="Click me").click()
    text_of(frame, "span", "clicked 102 times")
    expect(frame.locator("input[type=range]")).to_have_value("30")
    frame.locator("input[type=range]").press("ArrowRight")
    text_of(frame, "span", "resolution 31")


def state_and_callbacks(page: Any) -> None:
    """Typing a width gives the area (sync callback) and then its verdict (async callback); a child
    server's button bumps its own counter and the parent's total."""
    frame = app_frame(view(page, 3))
    text_of(frame, "div", "area 80: 80 is large")
    frame.locator("input[type=number]").first.fill("5")
    text_of(frame, "div", "area 40: 40 is small")
    fruit = app_frame(view(page, 11))
    text_of(fruit, "div", "2 fruit in total")
    fruit.get_by_role("button", name="pear +1").click()
    text_of(fruit, "div", "3 fruit in total")


def layouts_and_widgets(page: Any) -> None:
    """Adding a to-do item updates the list, and the second layout of the same server follows."""
    todo, side = app_frame(view(page, 3)), app_frame(view(page, 7))
    text_of(todo, "h3", "2 things to do")
    text_of(side, "div", "and 1 more")
    expect(todo.get_by_role("button", name="Add")).to_be_disabled()  # nothing typed yet
    todo.get_by_placeholder("new item").fill("try trame")
    todo.get_by_role("button", name="Add").click()
    text_of(todo, "h3", "3 things to do")
    text_of(todo, "li span", "try trame")
    expect(todo.get_by_placeholder("new item")).to_have_value("")  # Python cleared the draft
    text_of(side, "div", "and 2 more")


def images_and_plots(page: Any) -> None:
    """Moving the slider re-renders both images in Python: their object URLs change and they load."""
    frame = app_frame(view(page, 5))
    text_of(frame, "span", "frequency 7")
    images = frame.locator("img")
    assert images.count() == 2
    before = images.evaluate_all("imgs => imgs.map(i => i.src)")
    frame.locator("input[type=range]").press("ArrowRight")
    text_of(frame, "span", "frequency 8")
    frame.wait_for_function(
        """(before) => {
            const imgs = [...document.querySelectorAll('img')];
            return imgs.every((img, i) => img.src !== before[i] && img.complete && img.naturalWidth > 0);
        }""",
        arg=before,
    )
    assert all(src.startswith("blob:") for src in before), before


def ipywidgets_link(page: Any) -> None:
    """Dragging the ipywidgets slider moves the app's slider and stars; the app's slider moves the widget."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(5)
    # server.widget is an anywidget (its own frame, not one of our extension's views).
    frame = cell.frame_locator(".trame-jupyter-widget-frame")
    readout = cell.locator(".widget-slider .widget-readout")
    # Where the notebook's cells left them (each side applies the kernel's last update on its own time).
    expect(readout).to_have_text("3")
    expect(frame.locator("input[type=range]")).to_have_value("3")
    # A drag, not arrow keys: Notebook 7 binds ArrowRight in command mode and takes the key from the slider.
    drag_widget_slider(page, cell.locator(".widget-slider"), 10, (1, 20))
    expect(readout).to_have_text("10")
    text_of(frame, "div", "★" * 10)
    expect(frame.locator("input[type=range]")).to_have_value("10")
    frame.locator("input[type=range]").press("ArrowRight")
    text_of(frame, "div", "★" * 11)
    expect(readout).to_have_text("11")


def drag_widget_slider(page: Any, slider: Any, value: int, bounds: tuple[int, int]) -> None:
    """Drag an ipywidgets slider's handle with the mouse to where ``value`` is on its track."""
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").bounding_box()
    track = slider.locator(".noUi-base").bounding_box()
    low, high = bounds
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * (value - low) / (high - low), y, steps=5)
    page.mouse.up()


def long_work_with_progress(page: Any) -> None:
    """Start (the page's button) runs a 10 s task in the kernel: the bar climbs step by step while Cancel
    is there to press; Cancel stops it part way, as the user sees it."""
    frame = app_frame(view(page, 3))
    text_of(frame, "span", "100% (done)")  # the notebook's own run to the end
    frame.evaluate(
        """() => {
            const bar = document.querySelector('progress');
            const start = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Start');
            const status = bar?.nextElementSibling;
            if (!start || !status) throw new Error('no Start button, progress bar or status in the page');
            window.seen = [];
            const record = () => window.seen.push(
                { value: bar.value, text: status.textContent.trim(), running: start.disabled });
            new MutationObserver(record).observe(document.body,
                { attributes: true, characterData: true, childList: true, subtree: true });
        }"""
    )
    frame.get_by_role("button", name="Start").click()
    frame.wait_for_function(
        "() => window.seen.filter((s) => s.running && s.value > 0 && s.value < 100).length >= 3", timeout=30_000
    )
    frame.get_by_role("button", name="Cancel").click()
    try:
        frame.wait_for_function(
            "() => { const last = window.seen[window.seen.length - 1];"
            " return last.text.endsWith('(cancelled)') && !last.running; }",
            timeout=30_000,
        )
    except Exception as error:  # Playwright's TimeoutError: show what the page went through
        raise AssertionError(f"Cancel did not stop the job: {frame.evaluate('() => window.seen')}") from error
    seen = frame.evaluate("() => window.seen")
    values = [s["value"] for s in seen]
    steps = [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
    assert steps == sorted(steps), f"the bar went back: {steps}"
    assert len([v for v in steps if 0 < v < 100]) >= 3, f"the bar did not animate: {steps}"
    assert 0 < values[-1] < 100, f"cancelled part way, not at {values[-1]}%"
    assert any(s["running"] and "working" in s["text"] for s in seen), seen


def many_servers(page: Any) -> None:
    """Three servers, three live pages, each showing its own state."""
    views = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".trame-jupyter-view")
    assert views.count() == 3
    for i, (name, shown) in enumerate([("north", "20 (low)"), ("south", "50 (medium)"), ("east", "80 (high)")]):
        frame = app_frame(views.nth(i))
        text_of(frame, "b", name)
        text_of(frame, "span", shown)
        assert frame.locator("progress").evaluate("bar => bar.value") == int(shown.split()[0])


def standalone_script(page: Any) -> None:
    """The app built by app.py's function, shown in the notebook, answers its slider."""
    frame = app_frame(view(page, 8))
    text_of(frame, "span", "resolution 30")
    frame.locator("input[type=range]").press("ArrowRight")
    text_of(frame, "span", "resolution 31")


def trame_widgets(page: Any) -> None:
    """A Vuetify 3 app with Plotly and Matplotlib figures: the values Python set show, the button's
    trigger redraws both figures, and the frame keeps a bounded height (a v-app fills its parent)."""
    shown = view(page, 5)
    frame = app_frame(shown)
    chip = frame.locator("#summary")
    expect(chip).to_contain_text("120 points")  # what the notebook's cells set from Python
    frame.locator("#wave svg .trace.bars").first.wait_for()  # Plotly drew bars (the cell's kind)
    drawing = frame.locator("#histogram svg.mpld3-figure")  # Matplotlib's histogram (drawn by mpld3)
    before_text, before_drawing = chip.inner_text(), drawing.inner_html()
    frame.get_by_role("button", name="new noise").click()
    expect(chip).not_to_have_text(before_text)
    frame.wait_for_function(
        "old => document.querySelector('#histogram svg.mpld3-figure').innerHTML !== old", arg=before_drawing
    )
    assert 200 < frame_height(shown) < 1200, frame_height(shown)


def three_d_views(page: Any) -> None:
    """One VTK scene, two views: vtk.js draws the contour in the page (the local view's canvas is more than
    its background), the kernel renders it (the remote view's picture). The slider re-runs the pipeline in
    Python: the new geometry reaches the local view, the kernel's new rendering the remote one. The button
    resets both cameras."""
    frame = app_frame(view(page, 5))
    chip = frame.locator("#points")
    expect(chip).to_have_text("1204 points")  # level 0.8, what the notebook's cells set from Python
    views = {"local": frame.locator("#local canvas").first, "remote": frame.locator("#remote")}
    drawn = {name: wait_drawn(shown, f"the {name} view shows no contour", above=0.02) for name, shown in views.items()}
    slider = frame.get_by_role("slider")
    for _ in range(6):  # down to 0.5: the blobs merge into one bigger body
        slider.press("ArrowLeft")
    expect(chip).to_have_text("3768 points")
    for name, shown in views.items():
        drawn[name] = wait_drawn(shown, f"the {name} view kept the old contour", above=1.5 * drawn[name])
    # The cameras still frame the three small blobs: reset, they frame the bigger body (it looks smaller).
    frame.get_by_role("button", name="reset camera").click()
    for name, shown in views.items():
        wait_drawn(shown, f"the {name} camera did not reset", below=0.9 * drawn[name])


def drawn_fraction(png: bytes) -> float:
    """How much of a picture differs from its background (its most frequent colour)."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16).reshape(-1, 3)
    colours, counts = np.unique(image, axis=0, return_counts=True)
    return float((np.abs(image - colours[counts.argmax()]).max(axis=1) > 24).mean())


def wait_drawn(locator: Any, message: str, above: float = 0.0, below: float = 1.0, timeout: float = 20.0) -> float:
    """Screenshot an element (a view draws some time after its data came) until the fraction of it drawn
    is between ``above`` and ``below`` and stays the same for a quarter second; return that fraction."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        png = locator.screenshot()
        if png == last and above < drawn_fraction(png) < below:
            return drawn_fraction(png)
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (drawn: {drawn_fraction(png):.3f}, expected in {above:.3f}..{below:.3f})")
        last = png
        locator.page.wait_for_timeout(250)


@dataclass(frozen=True)
class Example:
    name: str
    views: int  # trame views the notebook shows after Run All
    interact: Callable[[Any], None]

    @property
    def stem(self) -> str:
        return Path(self.name).stem


EXAMPLES = [
    Example("01-getting-started.ipynb", 1, getting_started),
    Example("02-state-and-callbacks.ipynb", 2, state_and_callbacks),
    Example("03-layouts-and-widgets.ipynb", 2, layouts_and_widgets),
    Example("04-images-and-plots.ipynb", 1, images_and_plots),
    Example("05-ipywidgets.ipynb", 0, ipywidgets_link),
    Example("06-long-work-with-progress.ipynb", 1, long_work_with_progress),
    Example("07-many-servers.ipynb", 3, many_servers),
    Example("08-standalone-script.ipynb", 1, standalone_script),
    Example("09-trame-widgets.ipynb", 1, trame_widgets),
    Example("10-3d-views.ipynb", 1, three_d_views),
]


def test_every_example_is_tested() -> None:
    """A new notebook needs its entry here."""
    assert sorted(e.name for e in EXAMPLES) == sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def run_example(page: Any, server: LabServer, example: Example, screenshot: str) -> None:
    """Open the notebook, Run All, and check it as a newcomer sees it: every cell ran without an error,
    every view is live; then the screenshot (written on a failure too) and one interaction with the app."""
    for name in [example.name, *COMPANIONS]:
        shutil.copy(NOTEBOOKS / name, server.root_dir / name)
    open_notebook(page, server, example.name)
    try:
        try:
            run_all(page)
            assert cell_outputs(page, "error") == []
            assert unrun_cells(page) == []
            assert cell_outputs(page, "stream", "stderr") == []
            wait_views_live(page, example.views)
        except BaseException:
            with contextlib.suppress(Exception):  # what went wrong looked like this (the failure is raised)
                screenshot_notebook(page, SCREENSHOTS / screenshot)
            raise
        screenshot_notebook(page, SCREENSHOTS / screenshot)
        example.interact(page)
        assert view_states(page) == ["live"] * example.views
        assert not page.errors, page.errors
    finally:
        shutdown_kernels(server)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.stem)
def test_lab_run_all(lab: LabServer, page: Any, example: Example) -> None:
    run_example(page, lab, example, f"lab-{example.stem}.png")


# Notebook 7 runs the same renderer in another shell: the notebooks whose outputs its shell could treat
# differently (one view, a layout's size, several views, ipywidgets' own manager, a 3D canvas) run there
# too; what each app does is the same as in JupyterLab, where every notebook runs (a suite-time budget).
NOTEBOOK7_EXAMPLES = [e for e in EXAMPLES if e.stem.split("-")[0] in {"01", "03", "05", "07", "10"}]


@pytest.mark.parametrize("example", NOTEBOOK7_EXAMPLES, ids=lambda e: e.stem)
def test_notebook7_run_all(notebook7: LabServer, page: Any, example: Example) -> None:
    run_example(page, notebook7, example, f"nb7-{example.stem}.png")
