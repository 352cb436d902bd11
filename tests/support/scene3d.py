"""A VTK scene and an app showing it in trame-vtk's views, for the tests and for kernels (a cell adds
``tests/`` to ``sys.path`` and imports ``support.scene3d``), plus what the tests read from a view's pixels."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# VTK's rendering back end and interactor styles must be loaded before a window is made.
import vtkmodules.vtkInteractionStyle
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
from vtkmodules.vtkFiltersSources import vtkConeSource
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkPolyDataMapper,
    vtkRenderer,
    vtkRenderWindow,
    vtkRenderWindowInteractor,
)

VIEW_STYLE = "width: 400px; height: 300px"
#: The remote view's ``ref``; trame-vtk keeps the id of its render window in the state key ``<ref>Id``.
REMOTE_REF = "remote_view"


def offscreen_window(renderer: vtkRenderer, size: tuple[int, int]) -> tuple[vtkRenderWindow, vtkRenderWindowInteractor]:
    """An offscreen window showing ``renderer``, with the interactor remote views drive (trackball)."""
    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.AddRenderer(renderer)
    window.SetSize(*size)
    interactor = vtkRenderWindowInteractor()
    interactor.SetRenderWindow(window)
    interactor.GetInteractorStyle().SetCurrentStyleToTrackballCamera()
    return window, interactor


@dataclass
class Cone:
    """A cone in an offscreen render window. Every VTK object is kept: a pipeline whose source was a
    Python temporary crashes when it renders."""

    window: vtkRenderWindow
    renderer: vtkRenderer
    source: vtkConeSource
    mapper: vtkPolyDataMapper
    actor: vtkActor
    interactor: vtkRenderWindowInteractor

    @classmethod
    def make(cls, size: tuple[int, int] = (400, 300)) -> Cone:
        renderer = vtkRenderer()
        renderer.SetBackground(0.1, 0.1, 0.1)
        window, interactor = offscreen_window(renderer, size)
        source = vtkConeSource()
        source.SetResolution(6)
        mapper = vtkPolyDataMapper()
        mapper.SetInputConnection(source.GetOutputPort())
        actor = vtkActor()
        actor.SetMapper(mapper)
        renderer.AddActor(actor)
        renderer.ResetCamera()
        return cls(window, renderer, source, mapper, actor, interactor)


@dataclass
class ConeApp:
    cone: Cone
    local: Any  # trame-vtk's VtkLocalView, or None
    remote: Any  # VtkRemoteView, or None


def cone_app(server: Any, local: bool = True, remote: bool = True) -> ConeApp:
    """The cone in a local view (``#local``) and/or a remote view (``#remote``); the ``resolution`` state
    (``#resolution``, a range input) rebuilds it and updates both views."""
    from trame.widgets import vtk

    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    cone = Cone.make()
    app = ConeApp(cone, None, None)

    @server.state.change("resolution")
    def on_resolution(resolution: int, **_: Any) -> None:
        cone.source.SetResolution(int(resolution))
        for view in (app.local, app.remote):
            if view is not None:
                view.update()

    with DivLayout(server):
        html.Input(type="range", min=3, max=60, v_model_number=("resolution", 6), id="resolution")
        if local:
            with html.Div(style=VIEW_STYLE, id="local"):
                app.local = vtk.VtkLocalView(cone.window)
        if remote:
            with html.Div(style=VIEW_STYLE, id="remote"):
                app.remote = vtk.VtkRemoteView(cone.window, ref=REMOTE_REF)
    return app


def pixels(picture: bytes) -> Any:
    """A PNG screenshot (or a JPEG) as an RGB(A) array of floats in [0, 1]."""
    import numpy
    from matplotlib import image

    array = image.imread(io.BytesIO(picture), format="jpeg" if picture[:2] == b"\xff\xd8" else "png")
    return array / 255.0 if array.dtype == numpy.uint8 else array


def drawn_fraction(png: bytes) -> float:
    """How much of a view differs from its background (its corner pixel): 0 for an empty view."""
    import numpy

    image = pixels(png)[..., :3]
    return float(numpy.mean(numpy.abs(image - image[0, 0]).max(axis=-1) > 0.1))


def difference(before: bytes, after: bytes) -> float:
    """The fraction of pixels that changed between two screenshots of a view."""
    import numpy

    a, b = pixels(before)[..., :3], pixels(after)[..., :3]
    if a.shape != b.shape:
        return 1.0
    return float(numpy.mean(numpy.abs(a - b).max(axis=-1) > 0.1))


TIMEOUT = 20  # s: vtk.js compiles its shaders on first use (software WebGL here)


def wait_image(view: Any, accept: Callable[[bytes], bool], what: str) -> bytes:
    """Screenshot ``view`` until ``accept(png)``; the last screenshot goes into the failure message."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        png = view.screenshot()
        if accept(png):
            return png
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (drawn {drawn_fraction(png):.3f})")
        time.sleep(0.2)


def wait_drawn(view: Any) -> bytes:
    return wait_image(view, lambda png: drawn_fraction(png) > 0.02, "the view to show the cone")


def wait_changed(view: Any, before: bytes, what: str) -> bytes:
    return wait_image(view, lambda png: difference(before, png) > 0.005, what)


def sphere_fraction(png: bytes) -> float:
    """How much of a screenshot is the red sphere (the menu and the background are grey or white)."""
    import numpy

    image = pixels(png)[..., :3]
    red, green, blue = image[..., 0], image[..., 1], image[..., 2]
    return float(numpy.mean((red > 0.3) & (green < 0.15) & (blue < 0.15)))


def wait_sphere(view: Any) -> bytes:
    return wait_image(view, lambda png: sphere_fraction(png) > 0.05, "the view to show the sphere")


def drag(page: Any, view: Any, steps: int = 15) -> None:
    box = view.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(x + step * 8, y + step * 3)
        page.wait_for_timeout(20)
    page.mouse.up()


@dataclass
class Noise:
    """Random pixels filling a window: JPEG cannot compress them, so every frame is large (hundreds of
    kB), the way a detailed scene's frames are."""

    window: vtkRenderWindow
    renderer: vtkRenderer
    image: Any  # vtkImageData
    actor: Any  # vtkImageActor
    interactor: vtkRenderWindowInteractor

    @classmethod
    def make(cls, size: tuple[int, int] = (400, 300)) -> Noise:
        from vtkmodules.vtkCommonDataModel import vtkImageData
        from vtkmodules.vtkRenderingCore import vtkImageActor

        image = vtkImageData()
        image.SetDimensions(size[0], size[1], 1)
        image.AllocateScalars(3, 3)  # VTK_UNSIGNED_CHAR, RGB
        actor = vtkImageActor()
        actor.GetMapper().SetInputData(image)
        renderer = vtkRenderer()
        renderer.AddActor(actor)
        window, interactor = offscreen_window(renderer, size)
        noise = cls(window, renderer, image, actor, interactor)
        noise.shuffle()
        renderer.ResetCamera()
        renderer.GetActiveCamera().Zoom(1.4)  # the image fills the view
        return noise

    def shuffle(self) -> None:
        """New random pixels: the next frame differs entirely from the last."""
        import numpy
        from vtkmodules.util.numpy_support import vtk_to_numpy

        pixels = vtk_to_numpy(self.image.GetPointData().GetScalars())
        pixels[:] = numpy.random.default_rng().integers(0, 256, pixels.shape, dtype=numpy.uint8)
        self.image.Modified()


def noise_app(server: Any) -> tuple[Noise, Any]:
    """A remote view (``ref`` REMOTE_REF) of random pixels; returns the scene and the view."""
    from trame.widgets import vtk

    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    noise = Noise.make()
    with DivLayout(server), html.Div(style=VIEW_STYLE):
        view = vtk.VtkRemoteView(noise.window, ref=REMOTE_REF)
    return noise, view
