"""The start/stop state machine of a root server.

One ``Lifecycle`` per root server. A start resolves its options, builds what serving needs (protocol,
endpoint, websocket transport, aiohttp runner), binds the socket synchronously (so ``port`` is known
when ``start()`` returns, whatever the exec mode) and serves until stopped. Everything one start owns
lives in a ``Run``, replaced wholesale by the next start; every way a start can end (``stop()``, the
idle timeout, a client's ``application.exit``, a cancelled task, a failing hook, Ctrl-C) goes through
one teardown, ``_end``.

Stages: STOPPED → STARTING (socket bound) → RUNNING (serving) → STOPPING (stop requested) → STOPPED.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import enum
import inspect
import logging
import sys
import threading
import webbrowser
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from . import cli, vtkweb
from .connection import EndpointLimits
from .endpoint import WslinkEndpoint
from .modules import CLIENT_DIR, served_directory
from .network_log import NetworkLog
from .options import reject_unknown
from .protocol import TrameProtocol
from .runner import Runner, RunnerConfig
from .transports.websocket import WebSocketTransport

if TYPE_CHECKING:
    from .modules import ModuleRegistry
    from .server import Server

logger = logging.getLogger(__name__)

#: Largest frame sent in either direction (wslink's ``maxMsgSize``); bigger messages are chunked.
MAX_FRAME_SIZE = 4 * 1024 * 1024
#: ``start(**kwargs)``: options of a desktop window (``exec_mode="desktop"``), by trame's names.
WINDOW_OPTIONS = ("browser", "browser_args", "width", "height", "x", "y", "resizable", "fullscreen", "min_size")

_BUILD_HINT = (
    "It is built at install time by `pip install .` from a source checkout (needs Node.js >= 20); "
    "wheels ship it prebuilt."
)


class Stage(enum.IntEnum):
    STOPPED = 0
    STARTING = 1
    RUNNING = 2
    STOPPING = 3


class RuntimeListener(Protocol):
    """Observer of a server's lifecycle; each method is optional.

    ``started(server)`` after every bind, ``stopping(server)`` when ``stop()`` is called (in the
    caller's context), ``stopped(server)`` after every stop, however it came.
    """


@dataclass
class Run:
    """What one start owns."""

    options: cli.StartOptions
    flags: argparse.Namespace
    protocol: TrameProtocol
    endpoint: WslinkEndpoint
    runner: Runner
    port: int
    window_options: dict[str, Any] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None  # the serving loop, once serving
    serving: bool = False
    stopped: asyncio.Event | None = None
    window: asyncio.Task[None] | None = None
    idle_timer: asyncio.TimerHandle | None = None


class Readiness:
    """The outcome of one start — True (serving), False (ended before serving) or its error — observable
    from any thread, and awaitable on any loop."""

    def __init__(self) -> None:
        self.outcome: concurrent.futures.Future[bool] = concurrent.futures.Future()
        self._awaitables: dict[asyncio.AbstractEventLoop, asyncio.Future[bool]] = {}
        self._lock = threading.Lock()

    def settle(self, outcome: bool | BaseException) -> None:
        if self.outcome.done():
            return
        if isinstance(outcome, BaseException):
            self.outcome.set_exception(outcome)
        else:
            self.outcome.set_result(outcome)

    def future_on(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[bool]:
        """The asyncio future of ``loop`` (the caller's), the same one at every call."""
        with self._lock:
            future = self._awaitables.get(loop)
            if future is None:
                future = self._awaitables[loop] = asyncio.wrap_future(self.outcome, loop=loop)
                # The serve task reports its own failure: an unawaited ready must not log it again.
                future.add_done_callback(lambda done: done.cancelled() or done.exception())
            return future


class Lifecycle:
    """Starts, serves and stops one root server."""

    def __init__(self, server: Server, modules: ModuleRegistry) -> None:
        self._server = server
        self._modules = modules
        self.stage = Stage.STOPPED
        self.run: Run | None = None
        self.port = 0  # kept after stop, as trame does
        self.readiness = Readiness()
        self.listeners: list[Any] = []
        self.protocol_configurators: list[Callable[[TrameProtocol], None]] = []

    # -- listeners ----------------------------------------------------------------------------------

    def notify(self, event: str) -> None:
        for listener in list(self.listeners):
            handler = getattr(listener, event, None)
            if handler is None:
                continue
            try:
                handler(self._server)
            except Exception:
                logger.exception("Runtime listener %r failed on %s", listener, event)

    # -- read side ----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.stage != Stage.STOPPED

    @property
    def stopping(self) -> bool:
        return self.stage == Stage.STOPPING

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self.run.loop if self.run is not None else None

    @property
    def protocol(self) -> TrameProtocol | None:
        return self.run.protocol if self.run is not None else None

    def ready(self) -> asyncio.Future[bool] | concurrent.futures.Future[bool]:
        """On the caller's loop, an asyncio future; from a thread without one, the thread-safe outcome."""
        loop = _running_loop()
        return self.readiness.outcome if loop is None else self.readiness.future_on(loop)

    # -- start --------------------------------------------------------------------------------------

    def start(
        self,
        *,
        port: int | None,
        thread: bool,
        open_browser: bool | None,
        show_connection_info: bool,
        disable_logging: bool,
        backend: str | None,
        exec_mode: str,
        timeout: float | None,
        host: str | None,
        window_options: dict[str, Any],
    ) -> asyncio.Task[None] | Coroutine[Any, Any, None] | None:
        if self.stage != Stage.STOPPED:
            return None
        reject_unknown(window_options, WINDOW_OPTIONS, "start()")
        server = self._server
        in_loop = _running_loop() is not None
        if exec_mode in ("main", "desktop") and in_loop:
            print(f"trame_jupyter: {server.name!r} started as a task, since an event loop is already running here")
            exec_mode = "task"
        # Only a script owns its command line: not a kernel, not a server embedded in a thread.
        owns_argv = (
            exec_mode in ("main", "desktop") and not thread and threading.current_thread() is threading.main_thread()
        )
        flags, _ = server.cli.parse_known_args(cli.command_line_args(read_argv=owns_argv))
        options = cli.resolve_start_options(
            flags,
            exec_mode=exec_mode,
            port=port,
            host=host,
            timeout=timeout,
            backend=backend,
            open_browser=open_browser,
            show_connection_info=show_connection_info,
            disable_logging=disable_logging,
            thread=thread,
        )
        if options.exec_mode == "task" and not in_loop:
            raise cli.StartError(
                "exec_mode='task' needs a running event loop: call start() from a coroutine, "
                "or use exec_mode='coroutine' and schedule what it returns"
            )
        _configure_logging(options)
        if options.desktop:
            from .desktop import window_program

            window_program(window_options.get("browser"))  # fail now, before binding, if no window can open
        run = self._bind(options, flags, window_options)
        coroutine = self._serve(run)
        if options.exec_mode == "coroutine":
            return coroutine
        if options.exec_mode == "task":
            task = asyncio.get_running_loop().create_task(coroutine, name=f"trame_jupyter server {server.name}")
            task.add_done_callback(lambda done: self._task_ended(run, done))
            return task
        self._run_blocking(run, coroutine)
        return None

    def _bind(self, options: cli.StartOptions, flags: argparse.Namespace, window_options: dict[str, Any]) -> Run:
        """Everything up to a bound socket, synchronously; on failure nothing is left half-started."""
        server = self._server
        if self._modules.www is None and options.content is None:
            self._modules.www = CLIENT_DIR
        www = options.content or self._modules.www
        if www is not None and not www.is_dir():
            logger.error(
                "The web client at %s is missing: the server will answer websockets only. %s", www, _BUILD_HINT
            )
            www = None
        if server.controller.on_server_start.exists():
            server.controller.on_server_start(server)

        settings = server.options
        protocol = TrameProtocol(server, options.secret, allow_client_exit=options.exec_mode in ("main", "desktop"))
        for configure in self.protocol_configurators:
            configure(protocol)
        endpoint = WslinkEndpoint(
            protocol,
            EndpointLimits(
                max_message_size=settings.ws_max_msg_size,
                max_frame_size=min(MAX_FRAME_SIZE, settings.ws_max_msg_size),
            ),
            stop_server=lambda: self.stop(),
            network_log=NetworkLog.open(settings.log_network),
        )
        vtkweb.configure(endpoint)  # trame-vtk's 3D views: frame dropping, event checks, no-OpenGL guard
        protocol.endpoint = endpoint
        endpoint.bind_protocols()
        heartbeat = settings.ws_heart_beat
        websocket = WebSocketTransport(
            endpoint, heartbeat=heartbeat if heartbeat >= 1 else None, compress=options.ws_compress
        )
        runner = Runner(
            RunnerConfig(
                host=options.host,
                port=options.port,
                ws_path=options.ws_path,
                http=options.http,
                www=www,
                serve={
                    **{prefix: served_directory(target) for prefix, target in self._modules.serve.items()},
                    **options.fs_endpoints,
                },
                headers=dict(server.http_headers.headers),
                follow_symlinks=options.follow_symlinks,
                handle_signals=options.handle_signals,
                ssl_context=options.ssl_context,
            ),
            websocket=websocket.handle,
            before_cleanup=endpoint.close_all,
        )
        port = runner.bind()  # raises PortInUseError naming the port

        run = Run(options, flags, protocol, endpoint, runner, port, window_options)
        endpoint.on_client_count = lambda count: self._arm_idle_timer(run, count)
        self.run = run
        self.port = port
        self.stage = Stage.STARTING
        try:
            if server.controller.on_server_bind.exists():
                server.controller.on_server_bind(runner)
        except Exception:
            self._abandon(run)  # release the socket: a failed start leaves nothing behind
            raise
        # The state is ready as soon as there is a protocol to push through, before start() returns: what
        # change callbacks compute from the values written before start (defaults included) is there
        # when the cell that displays the app ends, whenever a browser connects (pushes to no client
        # are just not sent).
        for state in (server.state, server.context):
            try:
                state.ready()
            except Exception:
                logger.exception("Flushing the state written before start failed")
        self.notify("started")
        return run

    async def _serve(self, run: Run) -> None:
        if self.run is not run:
            return  # stopped before this coroutine got to run
        run.loop = asyncio.get_running_loop()
        run.stopped = asyncio.Event()
        run.serving = True
        outcome: bool | BaseException = False
        try:
            await run.runner.serve(on_ready=lambda: self._on_ready(run))
        except BaseException as error:
            outcome = False if isinstance(error, asyncio.CancelledError) else error
            raise
        finally:
            await self._end(run, outcome)

    def _on_ready(self, run: Run) -> None:
        server = self._server
        if self.stage == Stage.STARTING:
            self.stage = Stage.RUNNING
        if server.controller.on_server_ready.exists():
            try:
                server.controller.on_server_ready(**server.state.to_dict())
            except Exception:
                logger.exception("ctrl.on_server_ready failed")
        self.readiness.settle(True)
        self._arm_idle_timer(run, run.endpoint.client_count)
        options = run.options
        if options.banner:
            print(f"\n  trame_jupyter · {server.name} · port {run.port}\n")
        if options.show_connection_info:
            print(f"\nApp running at:\n - Local:   {server.url}\n", flush=True)
        if options.open_browser:
            asyncio.get_running_loop().call_later(0.1, webbrowser.open, server.url)
        if options.desktop:
            from .desktop import open_window

            run.window = open_window(server, debug=server.options.desktop_debug, **run.window_options)

    # -- idle timeout -------------------------------------------------------------------------------

    def _arm_idle_timer(self, run: Run, client_count: int) -> None:
        if run.idle_timer is not None:
            run.idle_timer.cancel()
            run.idle_timer = None
        timeout = run.options.timeout
        if client_count == 0 and timeout > 0 and run.serving and self.stage == Stage.RUNNING:
            run.idle_timer = asyncio.get_running_loop().call_later(timeout, self._idle_expired, run)

    def _idle_expired(self, run: Run) -> None:
        logger.info("No client for %s s: stopping the server on port %s", run.options.timeout, run.port)
        if run.options.exec_mode in ("main", "desktop"):
            print(
                f"trame_jupyter: no browser connected for {run.options.timeout:g} s: stopping "
                f"(pass --timeout 0 to keep serving)",
                flush=True,
            )
        self.stop()

    # -- stop ---------------------------------------------------------------------------------------

    def stop(self) -> StopHandle:
        name = self._server.name
        run = self.run
        if run is None:
            return StopHandle(name, None)
        if self.stage != Stage.STOPPING:
            self.stage = Stage.STOPPING
            # Synchronously, in the caller's context: a notebook display updated here belongs to the
            # cell that called stop() (ipykernel routes output by the caller's context).
            self.notify("stopping")
        here = _running_loop()
        home = run.loop
        if not run.serving or home is None or home.is_closed():
            self._abandon(run)
            return StopHandle(name, None)
        if home is not here:  # from another thread (or loop)
            return StopHandle(name, asyncio.run_coroutine_threadsafe(self._stop_serving(run), home))
        return StopHandle(name, here.create_task(self._stop_serving(run)))

    async def _stop_serving(self, run: Run) -> None:
        run.runner.request_stop()
        if run.stopped is not None:
            await run.stopped.wait()

    # -- the one teardown ---------------------------------------------------------------------------

    async def _end(self, run: Run, outcome: bool | BaseException) -> None:
        """A run that served has ended: settle, notify, run ``on_server_exited``."""
        for awaitable in self._teardown(run, outcome):
            try:
                await awaitable
            except Exception:
                logger.exception("ctrl.on_server_exited failed")

    def _abandon(self, run: Run) -> None:
        """End a run that never served (its coroutine did not run, or a start hook failed)."""
        run.runner.request_stop()  # closes the bound socket
        for awaitable in self._teardown(run, False):
            _spawn_or_close(awaitable)

    def _teardown(self, run: Run, outcome: bool | BaseException) -> list[Any]:
        if self.run is not run:
            return []  # already torn down
        if run.idle_timer is not None:
            run.idle_timer.cancel()
        if run.window is not None and not run.window.done():
            run.window.cancel()
        self.readiness.settle(outcome if isinstance(outcome, BaseException) else False)
        self.readiness = Readiness()  # ``ready`` is pending again until the next start
        self.run = None
        self.stage = Stage.STOPPED
        self.notify("stopped")
        if run.stopped is not None:
            run.stopped.set()
        server = self._server
        exited = server.controller.on_server_exited
        if not exited.exists():
            return []
        try:
            result = exited(**server.state.to_dict())
        except Exception:
            logger.exception("ctrl.on_server_exited failed")
            return []
        return [item for item in (result if isinstance(result, list) else [result]) if inspect.isawaitable(item)]

    def _task_ended(self, run: Run, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self._abandon(run)  # cancelled before its first step: the coroutine never ran its own end
        elif task.exception() is not None:
            logger.error("Server %r stopped with an error", self._server.name, exc_info=task.exception())

    def _run_blocking(self, run: Run, coroutine: Coroutine[Any, Any, None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        task = loop.create_task(coroutine)
        try:
            loop.run_until_complete(task)
        except (KeyboardInterrupt, SystemExit):
            run.runner.request_stop()
            loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        finally:
            _wind_down(loop)
            asyncio.set_event_loop(None)
            loop.close()


class StopHandle:
    """What ``stop()`` returns: awaitable to wait for the stop, which proceeds without ``await`` too.

    Outside the server's loop (another thread), ``result(timeout)`` blocks until stopped.
    """

    def __init__(self, name: str, future: asyncio.Future[None] | concurrent.futures.Future[None] | None) -> None:
        self._name = name
        self._future = future

    def __await__(self) -> Any:
        if self._future is None:
            return iter(())
        if isinstance(self._future, concurrent.futures.Future):
            return asyncio.wrap_future(self._future).__await__()
        return self._future.__await__()

    def done(self) -> bool:
        return self._future is None or self._future.done()

    def result(self, timeout: float | None = None) -> None:
        if isinstance(self._future, concurrent.futures.Future):
            self._future.result(timeout)
        elif self._future is not None and self._future.done():
            self._future.result()
        elif self._future is not None:
            raise RuntimeError("await the stop from the server's loop; result() waits only from another thread")

    def __repr__(self) -> str:
        state = "stopped" if self.done() else "stopping"
        return f"<{state} trame_jupyter server {self._name!r}>"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _wind_down(loop: asyncio.AbstractEventLoop) -> None:
    """Before closing a loop that served: let what the stop woke finish (a ``stop()`` waiting from another
    thread must get its answer), then cancel what remains, as ``asyncio.run`` does."""
    loop.run_until_complete(asyncio.sleep(0))
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())


def _spawn_or_close(awaitable: Any) -> None:
    """Run what ``on_server_exited`` returned when there is a loop to run it on; else drop it, saying so."""
    if _running_loop() is None:
        logger.warning("ctrl.on_server_exited returned an awaitable but no event loop runs: it was not awaited")
        if inspect.iscoroutine(awaitable):
            awaitable.close()
        return

    def report(done: asyncio.Future[Any]) -> None:
        if not done.cancelled() and done.exception() is not None:
            logger.error("ctrl.on_server_exited failed", exc_info=done.exception())

    asyncio.ensure_future(awaitable).add_done_callback(report)


def _configure_logging(options: cli.StartOptions) -> None:
    if options.disable_logging:
        return
    if options.debug:
        logging.getLogger("trame_jupyter").setLevel(logging.DEBUG)
        if not logging.getLogger().handlers:
            logging.basicConfig(stream=sys.stderr)
