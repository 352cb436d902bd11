"""The VTK benchmark's app, served by trame_jupyter or by trame: ``python bench/_vtk_app.py ours|trame``.

The same source on both: trame's ``DivLayout`` holding a 400×300 box with trame-vtk's ``VtkRemoteView``
of a fixed scene (a sphere of 32×32 facets, edges drawn), rendered offscreen in the server process by the ``vtk``
wheel. Only the ``get_server`` import differs (``trame.app`` or ``trame_jupyter.app``), as for any
ported trame app. Prints ``READY <url>`` once the server accepts connections, then serves until killed.
"""

from __future__ import annotations

from _common import serve_app

APP = """
import vtkmodules.vtkInteractionStyle  # noqa: F401  (registers the trackball camera style)
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the offscreen render window)
from vtkmodules.vtkFiltersSources import vtkSphereSource
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkPolyDataMapper,
    vtkRenderer,
    vtkRenderWindow,
    vtkRenderWindowInteractor,
)
from trame.ui.html import DivLayout
from trame.widgets import html, vtk

renderer = vtkRenderer()
renderer.SetBackground(0.1, 0.2, 0.4)
window = vtkRenderWindow()
window.AddRenderer(renderer)
window.OffScreenRenderingOn()
interactor = vtkRenderWindowInteractor()
interactor.SetRenderWindow(window)
interactor.GetInteractorStyle().SetCurrentStyleToTrackballCamera()
sphere = vtkSphereSource()
sphere.SetThetaResolution(32)
sphere.SetPhiResolution(32)
mapper = vtkPolyDataMapper()
mapper.SetInputConnection(sphere.GetOutputPort())
actor = vtkActor()
actor.SetMapper(mapper)
actor.GetProperty().SetEdgeVisibility(1)  # edges: every rotation step changes many pixels
renderer.AddActor(actor)
renderer.ResetCamera()

server = get_server("vtk-bench", client_type="vue3")
with DivLayout(server):
    with html.Div(id="bench-view", style="width: 400px; height: 300px"):
        vtk.VtkRemoteView(window)
"""


if __name__ == "__main__":
    serve_app(APP)
