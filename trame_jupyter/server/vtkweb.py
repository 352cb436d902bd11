"""What our endpoint knows of vtkWeb's protocols: the RPCs and topic of trame-vtk's (and ParaView's) 3D
views, registered through ``add_protocol_to_configure`` like any wslink protocol.

The rules, applied by ``WslinkEndpoint`` to whichever server registers those protocols:

- **Frames**: a remote view's JPEG frames go out on one topic. A client that reads slower than the
  kernel renders gets only the newest frame of each view; older ones not yet written are dropped.
- **Mouse moves** of a view coalesce: those a busy kernel has not handled yet are replaced by the newest.
- **Mouse events** must carry finite coordinates. A browser sends them normalized to the view (0 to 1,
  a little beyond while a drag leaves it); anything else is clamped, NaN and infinities are refused.
- **Snapshots**: a stopped server's 3D views keep their last image (``view_pictures``), rendered from
  their render windows, in the static snapshot of the notebook.
- **Offscreen rendering**: VTK crashes the whole process when it renders without any OpenGL (no
  display, no EGL, no OSMesa). Before the first call that renders, a child process tries a render;
  if it cannot, every rendering call answers with the reason and the fix instead of killing the
  kernel, and the rest of the app keeps working.
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import math
import subprocess
import sys
from collections.abc import Callable, Hashable
from typing import Any

from ..core.rpc import EXCEPTION_ERROR, RpcError, invalid_params

logger = logging.getLogger(__name__)

#: The topic of remote views' frames (vtkWebPublishImageDelivery).
IMAGE_TOPIC = "viewport.image.push.subscription"
MOUSE_RPC = "viewport.mouse.interaction"
WHEEL_RPC = "viewport.mouse.zoom.wheel"
#: RPC families that make VTK render in this process.
RENDERING_PREFIXES = ("viewport.image.", "viewport.mouse.")

#: How far past its view a drag may be reported (in view sizes).
COORDINATE_RANGE = (-1.0, 2.0)
#: Largest wheel step taken as is.
MAX_SPIN = 100.0


def frame_key(data: Any) -> Hashable | None:
    """Frames of one view replace each other: the key is the view's id (None: never replaced)."""
    return data.get("id") if isinstance(data, dict) else None


def _finite(event: dict[str, Any], name: str, low: float, high: float) -> None:
    if name not in event:
        return
    value = event[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid_params(f"mouse event: {name} must be a finite number, not {value!r:.40}")
    event[name] = min(max(float(value), low), high)


def check_mouse_event(args: list, kwargs: dict) -> tuple[list, dict]:
    """Validate (and clamp) the event of ``viewport.mouse.interaction`` / ``zoom.wheel``."""
    event = args[0] if args else kwargs.get("event")
    if not isinstance(event, dict):
        raise invalid_params("mouse event: expected a map of event fields")
    event = dict(event)
    for name in ("x", "y"):
        _finite(event, name, *COORDINATE_RANGE)
    for name in ("spinY", "scroll"):
        _finite(event, name, -MAX_SPIN, MAX_SPIN)
    return ([event, *args[1:]], kwargs) if args else (args, {**kwargs, "event": event})


def mouse_move_key(args: list, kwargs: dict) -> Hashable | None:
    """Moves of one view coalesce (the newest waiting one is handled); presses, releases and wheel
    steps are each handled in order."""
    event = args[0] if args else kwargs.get("event")
    if isinstance(event, dict) and event.get("action") == "move":
        return ("move", str(event.get("view")))
    return None


def is_rendering_call(method: str) -> bool:
    return method.startswith(RENDERING_PREFIXES)


# A child process renders one frame offscreen, the way the kernel would.
_PROBE = """
from vtkmodules.vtkRenderingCore import vtkRenderWindow, vtkRenderer
import vtkmodules.vtkRenderingOpenGL2
window = vtkRenderWindow()
window.SetOffScreenRendering(1)
window.AddRenderer(vtkRenderer())
window.SetSize(8, 8)
window.Render()
print(window.GetClassName())
"""

NO_OPENGL = (
    "VTK cannot render in this kernel: no OpenGL is available offscreen (no display, and neither EGL "
    "nor OSMesa could be loaded), so remote 3D views stay empty. Local views (VtkLocalView) still work. "
    "Fix: install Mesa's offscreen OpenGL (Debian/Ubuntu: apt-get install libosmesa6, or libegl1 "
    "libgl1-mesa-dri) and restart the kernel."
)


@functools.cache
def _probe() -> concurrent.futures.Future[str | None]:
    # A fact of the machine: probed once per process, in a thread so that the serving loop never waits
    # for the child (about a second, the time VTK takes to import).
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="vtk-probe")
    future = executor.submit(_run_probe)
    executor.shutdown(wait=False)
    return future


def offscreen_rendering() -> str | None:
    """None if VTK renders offscreen in this environment, else why not (from a child process, so that a
    crash costs only the child). Started early by ``configure`` when VTK is in use."""
    return _probe().result()


def _run_probe() -> str | None:
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{NO_OPENGL} (The rendering probe failed: {error}.)"
    if probe.returncode == 0:
        return None
    detail = "it crashed" if probe.returncode < 0 else (probe.stderr.strip().splitlines() or ["it failed"])[-1]
    return f"{NO_OPENGL} (A test render {detail}.)"


def check_rendering(method: str) -> None:
    """Refuse a rendering call where rendering would crash the process."""
    reason = offscreen_rendering()
    if reason is not None:
        raise RpcError(EXCEPTION_ERROR, reason, {"method": method})


def guard(method: str, args: list, kwargs: dict) -> tuple[list, dict]:
    """The endpoint's request guard for vtkWeb's RPCs (any other request passes unchanged)."""
    if is_rendering_call(method):
        check_rendering(method)
        if method in (MOUSE_RPC, WHEEL_RPC):
            return check_mouse_event(args, kwargs)
    return args, kwargs


def configure(endpoint: Any) -> None:
    """Apply these rules to a ``WslinkEndpoint``."""
    endpoint.guards.append(guard)
    endpoint.newest_only[IMAGE_TOPIC] = frame_key
    endpoint.coalescing[MOUSE_RPC] = mouse_move_key
    if "vtkmodules.vtkRenderingCore" in sys.modules:  # this app renders with VTK: know before its first frame
        _probe()


#: trame-vtk's view components, as the template parser names them.
VIEW_TAGS = frozenset({"vtk-remote-view", "vtk-remote-local-view", "vtk-local-view"})
IMAGE_QUALITY = 85  # JPEG: a snapshot's picture, not a frame to analyse


def view_pictures(endpoint: Any) -> Callable[[str, Callable[[str], Any]], str | None] | None:
    """The 3D views' pictures for a snapshot (see ``snapshot.render.Pictures``), or None when the server
    serves no vtkWeb protocol. A remote view names its render window by ``viewId``; a local view's scene
    (``viewState``) carries the same id."""
    views = _view_finder(endpoint)
    if views is None:
        return None

    def picture(tag: str, attribute: Callable[[str], Any]) -> str | None:
        if tag not in VIEW_TAGS or offscreen_rendering() is not None:
            return None
        view_id = attribute("viewid")
        if not isinstance(view_id, (str, int)):
            scene = attribute("viewstate")
            view_id = scene.get("id") if isinstance(scene, dict) else None
        if not isinstance(view_id, (str, int)) or not str(view_id).isdigit():
            return None
        window = views(str(view_id))
        if window is None or 0 in window.GetSize():
            return None  # never rendered yet (no view showed it): no last image, and none made here
        try:
            return _jpeg_data_url(window)
        except Exception as error:  # a picture is a courtesy: the rest of the snapshot stands without it
            logger.warning("No snapshot picture of 3D view %s: %s", view_id, error)
            return None

    return picture


def _view_finder(endpoint: Any) -> Callable[[str], Any] | None:
    # Any of trame-vtk's protocols maps ids to VTK objects (wslink's vtkWebProtocol.get_view).
    entry = endpoint.functions.get("viewport.image.push") if endpoint is not None else None
    if entry is None or not hasattr(entry[0], "map_id_to_object"):
        return None
    protocol = entry[0]

    def find(view_id: str) -> Any:
        window = protocol.map_id_to_object(view_id)
        return window if window is not None and window.IsA("vtkRenderWindow") else None

    return find


def _jpeg_data_url(window: Any) -> str | None:
    import base64

    from vtkmodules.vtkIOImage import vtkJPEGWriter
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    capture = vtkWindowToImageFilter()
    capture.SetInput(window)
    capture.SetInputBufferTypeToRGB()
    capture.ReadFrontBufferOff()  # render now: the front buffer of an offscreen window may be stale
    capture.Update()
    writer = vtkJPEGWriter()
    writer.SetQuality(IMAGE_QUALITY)
    writer.WriteToMemoryOn()
    writer.SetInputConnection(capture.GetOutputPort())
    writer.Write()
    data = writer.GetResult()
    if data is None or data.GetNumberOfTuples() == 0:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(memoryview(data).tobytes()).decode("ascii")
