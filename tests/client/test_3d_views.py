"""trame-vtk's views in a real Chromium on a server of ours: the local view renders the geometry with
vtk.js and follows ``view.update()``; the remote view shows frames rendered in this process and a drag on
it renders a new one; a server whose frames a client cannot read fast enough sends it the newest only."""

from __future__ import annotations

from typing import Any

import pytest
from support.browser_helpers import wait_status
from support.scene3d import cone_app, drag, drawn_fraction, wait_changed, wait_drawn, wait_image

pytestmark = pytest.mark.browser


def test_local_view_draws_the_geometry_and_follows_update(serve, page):
    holder: dict[str, Any] = {}
    app = serve(lambda server: holder.setdefault("app", cone_app(server, remote=False)))
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#local")
    before = wait_drawn(view)

    def refine() -> None:  # in Python: a new geometry, shipped by view.update()
        holder["app"].cone.source.SetResolution(3)
        holder["app"].local.update()

    app.run(refine)
    after = wait_changed(view, before, "the local view to show the new geometry")
    assert drawn_fraction(after) > 0.02
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_remote_view_streams_frames_and_a_drag_renders_new_ones(serve, page):
    app = serve(lambda server: cone_app(server, local=False))
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#remote")
    before = wait_drawn(view)
    drag(page, view)
    after = wait_changed(view, before, "a frame rendered after the drag")
    assert drawn_fraction(after) > 0.02

    page.fill("#resolution", "3")  # through the state to Python, which renders a new frame
    app.wait_for(lambda: app.server.state.resolution == 3, what="the slider's value")
    wait_changed(view, after, "a frame of the coarser cone")
    assert page.console.of("pageerror") == [] and app.browser_errors == []


def test_several_views_of_several_servers_on_one_page_context(serve, new_page):
    """Two servers, each with both views, open side by side: every view draws its own cone."""
    apps = [serve(lambda server: cone_app(server)) for _ in range(2)]
    pages = [new_page() for _ in apps]
    for page, app in zip(pages, apps, strict=True):
        page.goto(app.url)
    for page in pages:
        wait_status(page, "live")
        for view in ("#local", "#remote"):
            wait_drawn(page.locator(view))


def test_remote_local_view_switches_modes_and_reset_camera_reaches_the_page(serve, page):
    """``VtkRemoteLocalView``: rendered in the kernel, then switched to vtk.js by ``set_local_rendering``;
    ``reset_camera()`` (a ``js_call``) undoes a zoom made in the browser."""
    from support.scene3d import VIEW_STYLE, Cone
    from trame.widgets import vtk

    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    holder: dict[str, Any] = {}

    def build(server: Any) -> None:
        holder["cone"] = cone = Cone.make()
        with DivLayout(server), html.Div(style=VIEW_STYLE, id="view"):
            holder["view"] = vtk.VtkRemoteLocalView(cone.window, namespace="rl", mode="remote")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    view = page.locator("#view")
    remote = wait_drawn(view)
    assert app.state("rlMode") == "remote"

    app.run(lambda: holder["view"].set_local_rendering())
    wait_image(view, lambda png: page.locator("#view canvas").count() > 0 and drawn_fraction(png) > 0.02, "vtk.js")
    local = wait_drawn(view)
    box = view.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -600)  # zoom in, in the browser
    zoomed = wait_changed(view, local, "the local view to zoom")
    app.run(lambda: holder["view"].reset_camera())
    wait_changed(view, zoomed, "the camera reset by reset_camera()")
    assert remote and page.console.of("pageerror") == []
