"""PyVista's trame UI on a server of ours, in a real Chromium: ``plotter_ui(plotter, server=server)``
inside our layouts (and trame's Vuetify 3 ``SinglePageLayout``) shows the plotter's mesh in each of its
modes, and a drag on the server-rendered view renders a new frame.

PyVista's trame integration lives in trame-pyvista since PyVista 0.49 (``pyvista.trame`` re-exports it
with a deprecation warning). Its viewer takes the server from the ``server=`` argument; without it,
``trame.app.get_server()`` would bind the views to a trame-server instance that no browser talks to."""

from __future__ import annotations

from typing import Any

import pytest
import pyvista
from support.browser_helpers import wait_status
from support.scene3d import difference, drag, sphere_fraction, wait_changed, wait_image, wait_sphere
from trame_pyvista.ui import plotter_ui

from trame_jupyter import Server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

pytestmark = pytest.mark.browser

VIEW_STYLE = "width: 600px; height: 400px"  # PyVista's menu needs about 500 px


def sphere_plotter() -> pyvista.Plotter:
    # Edges make a rotation visible in the pixels: a smooth red sphere looks the same from every side.
    plotter = pyvista.Plotter(off_screen=True, window_size=(600, 400))
    plotter.background_color = (0.2, 0.2, 0.2)
    plotter.add_mesh(pyvista.Sphere(), color="red", show_edges=True)
    return plotter


def pyvista_app(mode: str | None = None, layout: str = "div", **ui: Any) -> tuple[dict[str, Any], Any]:
    """A ``serve`` build function putting ``plotter_ui`` (in ``#view``) into a layout of the server, and
    a dict that receives the plotter and the view it made."""
    made: dict[str, Any] = {}

    def build(server: Server) -> None:
        plotter = sphere_plotter()
        if mode is not None:  # None: PyVista's default mode (its theme's, "trame")
            ui["mode"] = mode

        def view() -> None:
            with html.Div(style=VIEW_STYLE, id="view"):
                made["view"] = plotter_ui(plotter, server=server, **ui)

        if layout == "div":
            with DivLayout(server):
                view()
        else:
            from trame.ui.vuetify3 import SinglePageLayout

            with SinglePageLayout(server) as single_page, single_page.content:
                view()
        made["plotter"] = plotter

    return made, build


@pytest.mark.parametrize("mode", ["server", "client", "trame", pytest.param(None, id="default")])
def test_each_mode_shows_the_mesh_in_our_layout(serve, page, mode):
    made, build = pyvista_app(mode)
    app = serve(build)
    assert made["view"]._server is app.server  # the views, their state and triggers live on our server
    page.goto(app.url)
    wait_status(page, "live")
    wait_sphere(page.locator("#view"))
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_a_drag_on_the_remote_view_renders_a_new_frame(serve, page):
    _, build = pyvista_app("server", add_menu=False)
    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#view")
    before = wait_sphere(view)
    drag(page, view)
    after = wait_changed(view, before, "a frame rendered after the drag")
    assert sphere_fraction(after) > 0.05
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_default_mode_in_trames_page_layout_switches_to_local_rendering(serve, page):
    """The default ("trame") view in trame's Vuetify 3 page: rendered remotely first, a drag renders a
    new frame, and the menu's rendering-mode state switches it to vtk.js in the browser."""
    made, build = pyvista_app(layout="single-page")
    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#view")
    before = wait_sphere(view)
    drag(page, view)
    after = wait_changed(view, before, "a frame rendered after the drag")

    server_rendering = f"{made['plotter']._id_name}_use_server_rendering"  # the menu's toggle
    app.set_state(**{server_rendering: False})
    local = wait_image(
        view,
        lambda png: difference(after, png) > 0.005 and sphere_fraction(png) > 0.05,
        "the sphere rendered by vtk.js",
    )
    assert page.locator("#view canvas").count() >= 1 and sphere_fraction(local) > 0.05
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_the_menu_changes_the_scene_through_python(serve, page):
    """A menu checkbox sets its state on our server, PyVista's callback hides the edges in Python and
    the remote view shows the new frame."""
    made, build = pyvista_app("server")
    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#view")
    before = wait_sphere(view)
    toggle = page.locator("#view .v-selection-control", has=page.locator("i.mdi-grid"))
    toggle.locator("input").click()
    edges = f"{made['plotter']._id_name}_edge_visibility"
    app.wait_for(lambda: app.server.state[edges] is False, what="the edge toggle's state")
    wait_changed(view, before, "a frame without the edges")
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_the_menu_downloads_a_screenshot(serve, page):
    """The menu's screenshot button: ``utils.download`` given a trigger's promise saves the PNG it answers."""
    _, build = pyvista_app("server")
    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    wait_sphere(page.locator("#view"))
    with page.expect_download() as download:
        page.locator("#view i.mdi-file-png-box").click()
    with open(download.value.path(), "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
