"""What our endpoint knows of vtkWeb's protocols: the RPCs and topic of trame-vtk's (and ParaView's) 3D
views, registered through ``add_protocol_to_configure`` like any wslink protocol.

The rules, applied by ``WslinkEndpoint`` to whichever server registers those protocols:

- **Frames**: a remote view's JPEG frames go out on one topic. A client that reads slower than the
  kernel renders gets only the newest frame of each view; older ones not yet written are dropped.
- **Mouse events** of a client coalesce per action (``down``, ``up``, ``move``, …): those a busy kernel has
  not handled yet are replaced by the newest of their action, in the order they came. vtk.js sends a
  drag as ``down`` events, so a drag, a hover, or a flood of presses costs one render per frame the
  kernel can make, never a backlog.
- **Mouse events** must carry finite coordinates. A browser sends them normalized to the view (0 to 1,
  a little beyond while a drag leaves it); anything else is clamped, NaN and infinities are refused.
- **Render sizes**: a remote view renders at the size the page reports for it (``original.size``) times
  a ratio (``quality``). Both are bounded: each side at most ``MAX_SIDE`` px and ``MAX_PIXELS`` in all
  (rendered, not just reported), a ratio in (0, ``MAX_RATIO``], a quality from 0 to 100. Beyond, the call
  is refused (−32602) and the view keeps what it had: a client's 16384² asked for gigabytes and aborted
  the process.
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
import inspect
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
SIZE_RPC = "viewport.image.push.original.size"
QUALITY_RPC = "viewport.image.push.quality"
#: RPC families that make VTK render in this process.
RENDERING_PREFIXES = ("viewport.image.", "viewport.mouse.")

#: The largest image a remote view renders, whatever a client asks: a side, and in all (DCI 4K). The
#: software renderer takes about 60 bytes a pixel, so half a GB at the cap; a 16384² view aborted it.
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 2160
#: The largest ratio of a rendered image to the view's size in the page. vtk.js asks 1/devicePixelRatio
#: while interacting: 4 in a browser zoomed out to 25 %.
MAX_RATIO = 4.0

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


#: The actions vtkWeb's clients send; any other is coalesced as one more action.
MOUSE_ACTIONS = frozenset({"down", "up", "move", "dblclick"})


def mouse_event_key(args: list, kwargs: dict) -> Hashable | None:
    """A client's mouse events coalesce per action: the newest waiting ``down`` (vtk.js's drags and
    presses), ``up`` (hover, release), ``move`` … is handled, in the order they came. The view is not
    part of the key: one client's mouse is in one view at a time, and a key per view id would let a
    flood naming ever new ids escape coalescing. Malformed events are not held (the guard refuses them)."""
    event = args[0] if args else kwargs.get("event")
    if not isinstance(event, dict):
        return None
    action = event.get("action")
    return ("mouse", action if isinstance(action, str) and action in MOUSE_ACTIONS else "other")


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


def _number(method: str, name: str, value: Any, low: float, high: float, *, above_low: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not (low < value if above_low else low <= value)
        or value > high
    ):
        bounds = f"above {low:g} and up to {high:g}" if above_low else f"from {low:g} to {high:g}"
        raise invalid_params(f"{method}: {name} must be a number {bounds}, not {value!r:.40}")
    return float(value)


def _check_rendered(method: str, size: list[float], ratio: float) -> None:
    """Refuse a view size and ratio whose image (as the image protocol rounds it) is past the cap."""
    width, height = (int(side * ratio + 0.5) for side in size)
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise invalid_params(
            f"{method}: the view would render {width} × {height} px ({size[0]:g} × {size[1]:g} at ratio "
            f"{ratio:g}), past the limit of {MAX_SIDE} px a side and {MAX_PIXELS} px in all"
        )


def _tracked_view(endpoint: Any, method: str, view_id: Any) -> tuple[list[float], float] | None:
    """The size a view is rendered from (the page's size of it, else its window's) and its ratio, as the
    image protocol keeps them; None when it does not track that view (its handler answers so)."""
    entry = endpoint.functions.get(method) if endpoint is not None else None
    protocol = entry[0] if entry is not None else None
    # trame-vtk's protocol (snake case) or VTK's own (camel case)
    tracking = getattr(protocol, "tracking_views", getattr(protocol, "trackingViews", None))
    get_view = getattr(protocol, "get_view", getattr(protocol, "getView", None))
    global_id = getattr(protocol, "get_global_id", getattr(protocol, "getGlobalId", None))
    if not isinstance(tracking, dict) or get_view is None or global_id is None:
        return None
    try:
        view = get_view(view_id)  # the same view the handler will change (an unknown id: the active one)
        info = tracking.get(str(global_id(view)))
        if not info:
            return None
        size = info.get("originalSize")
        if size is None:
            size = view.GetSize() if hasattr(view, "GetSize") else view.ViewSize
        return [float(side) for side in list(size)[:2]], float(info.get("ratio", 1))
    except Exception:  # no such view: the handler says so
        return None


def check_render_size(endpoint: Any, method: str, args: list, kwargs: dict) -> None:
    """Bound ``original.size`` (the view's size in the page) and ``quality`` (JPEG quality and the ratio
    of the image to that size), alone and together, for the view's image as it will be rendered."""
    try:
        bound = inspect.signature(endpoint.functions[method][1]).bind(None, *args, **kwargs)
    except (KeyError, TypeError):
        return  # not served here, or called wrong: the endpoint answers that
    bound.apply_defaults()
    values = list(bound.arguments.values())[1:]  # (view, width, height) or (view, quality, ratio)
    if len(values) < 3:
        return
    tracked = _tracked_view(endpoint, method, values[0])
    if method == SIZE_RPC:
        size = [_number(method, "width", values[1], 0, MAX_SIDE), _number(method, "height", values[2], 0, MAX_SIDE)]
        _check_rendered(method, size, tracked[1] if tracked else 1.0)
        return
    _number(method, "quality", values[1], 0, 100)
    ratio = _number(method, "ratio", values[2], 0, MAX_RATIO, above_low=True)
    if tracked is not None:
        _check_rendered(method, tracked[0], ratio)


def guard_of(endpoint: Any) -> Callable[[str, list, dict], tuple[list, dict]]:
    """The endpoint's request guard for vtkWeb's RPCs (any other request passes unchanged)."""

    def guard(method: str, args: list, kwargs: dict) -> tuple[list, dict]:
        if is_rendering_call(method):
            check_rendering(method)
            if method in (MOUSE_RPC, WHEEL_RPC):
                return check_mouse_event(args, kwargs)
            if method in (SIZE_RPC, QUALITY_RPC):
                check_render_size(endpoint, method, args, kwargs)
        return args, kwargs

    return guard


def configure(endpoint: Any) -> None:
    """Apply these rules to a ``WslinkEndpoint``."""
    endpoint.guards.append(guard_of(endpoint))
    endpoint.newest_only[IMAGE_TOPIC] = frame_key
    endpoint.coalescing[MOUSE_RPC] = mouse_event_key
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
