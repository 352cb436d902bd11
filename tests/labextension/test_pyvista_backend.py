"""PyVista's ``plotter.show()`` in JupyterLab on our servers: the ``"trame-jupyter"`` Jupyter backend, found
by PyVista through this package's entry point, shows the plotter's own UI as one of our views (through our
proxy, no port of trame's own), live in Chromium: the mesh is drawn and a drag renders a new frame."""

from __future__ import annotations

from typing import Any

import pytest
from support.scene3d import drag, wait_changed
from support.scene3d import sphere_fraction, wait_sphere

from support.lab_apps import wait_for_state
from support.lab_harness import LabServer, execute, open_live_view
from support.lab_views import SCREENSHOTS

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

SHOW = """
import pyvista as pv

pv.set_jupyter_backend("trame-jupyter")
plotter = pv.Plotter(window_size=(600, 400))
plotter.background_color = (0.2, 0.2, 0.2)
plotter.add_mesh(pv.Sphere(), color="red", show_edges=True)
plotter.show(jupyter_kwargs={"mode": "server"})
"""


def test_plotter_show_is_one_of_our_views(lab: LabServer, page: Any) -> None:
    output, frame = open_live_view(page, lab, "pyvista_show.ipynb", [SHOW])
    assert output.get_attribute("data-transport") == "proxy"
    picture = frame.locator("img, canvas").first
    before = wait_sphere(picture)
    drag(page, picture)
    after = wait_changed(picture, before, "a frame rendered after the drag")
    assert sphere_fraction(after) > 0.05
    page.screenshot(path=SCREENSHOTS / "lab-pyvista-show.png")
    # The plotter's server is ours (one per plotter, found by its name), and the view's page is its client.
    shown = "__import__('trame_jupyter').get_server(f'pyvista-{plotter._id_name}')"
    assert "OK" in execute(page, 1, wait_for_state(f"{shown}.running and {shown}.protocol.endpoint.client_count == 1"))
    assert not page.errors, page.errors
