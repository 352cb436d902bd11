"""``server.widget`` and ``trame_jupyter.link`` with ipywidgets, in a real kernel."""

from __future__ import annotations

import pytest
from support.kernel_apps import show_app

pytestmark = pytest.mark.jupyter


def test_widget_and_link(jupyter, kernel):
    show_app(kernel, "widgets")
    kernel.execute(
        "import ipywidgets as w\nimport trame_jupyter\n"
        "slider = w.IntSlider(value=9)\nbox = w.VBox([slider, server.widget])\n"
        "bridge = trame_jupyter.link(slider, 'value', server, 'resolution')\ndisplay(box)"
    )
    # An anywidget (no extension of ours needed), not an Output holding our MIME bundle.
    assert kernel.value("type(server.widget).__name__") == "TrameWidget"
    assert kernel.value("server.state.resolution") == 6  # the state already had a value: it wins
    assert kernel.value("slider.value") == 6
    kernel.execute("slider.value = 25")
    kernel.wait_until("server.state.resolution == 25")
    assert kernel.value("server.state.label") == "resolution 25"  # the @change callback ran
    kernel.execute("server.state.resolution = 33")
    kernel.wait_until("slider.value == 33")
    kernel.execute("bridge.unlink()\nslider.value = 1")
    assert kernel.value("server.state.resolution") == 33
    # Stopped: the widget shows the final snapshot instead of the page.
    kernel.execute("server.stop()")
    assert kernel.value("box.children[1].stopped") is True
    assert "resolution 33" in kernel.value("box.children[1].snapshot")
