"""``Server``: the object an application holds — state, controller, UI, and the lifecycle of its web server.

The API is trame-server's (``SEED.md``); the differences are listed in ``PROTOCOL.md``. Everything a
started server owns (socket, aiohttp runner, protocol, secret, ready future) lives on the root server
instance, so any number of servers run side by side in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import logging
import sys
import threading
import webbrowser
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import cli
from .controller import Controller
from .endpoint import EndpointLimits, WslinkEndpoint
from .jupyter.displayable import Displayable
from .modules import ModuleRegistry
from .network_log import NetworkLog
from .protocol import TrameProtocol
from .runner import Runner, RunnerConfig
from .state import State
from .translator import Translator
from .ui import VirtualNodeManager

if TYPE_CHECKING:
    from .cli import StartOptions
    from .jupyter.display import View

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
CLIENT_TYPES = ("vue3",)
DEFAULT_OPTIONS: dict[str, Any] = {
    "log_network": False,
    "ws_max_msg_size": 10_000_000,
    "ws_heart_beat": 30,
    "desktop_debug": False,
}
#: Largest frame sent in either direction (wslink's ``maxMsgSize``); bigger messages are chunked.
MAX_FRAME_SIZE = 4 * 1024 * 1024

# Stages of a root server's lifecycle.
STOPPED, STARTING, RUNNING = 0, 1, 2


class _Lifecycle:
    """What one start of a root server owns; replaced wholesale on the next start."""

    def __init__(self) -> None:
        self.stage = STOPPED
        self.port = 0
        self.options: StartOptions | None = None
        self.flags: argparse.Namespace | None = None
        self.runner: Runner | None = None
        self.protocol: TrameProtocol | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready: asyncio.Future[bool] | None = None
        self.stopped: asyncio.Event | None = None
        self.serving = False  # the serve coroutine has begun running
        self.extra: dict[str, Any] = {}  # start(**kwargs): options of the desktop window
        self.window: asyncio.Task[None] | None = None


class Server(Displayable):
    """A trame server: shared state, controller, UI layouts and the web server that serves them.

    Parameters
    ----------
    name:
        Identifier of the server (``get_server(name)`` returns the same instance).
    vn_constructor:
        Class used for ``server.ui.<name>`` virtual nodes.
    translator:
        Key translator (child servers use a prefixing one).
    parent_server:
        Makes this a child sharing the parent's state, controller and runtime.
    options:
        ``log_network`` (path or False), ``ws_max_msg_size`` (bytes, default 10 MB),
        ``ws_heart_beat`` (seconds, default 30), ``desktop_debug``.
    """

    def __init__(
        self,
        name: str = "trame",
        vn_constructor: Callable[..., Any] | None = None,
        translator: Translator | None = None,
        parent_server: Server | None = None,
        **options: Any,
    ) -> None:
        self._translator = translator or Translator()
        self._parent = parent_server
        if parent_server is None:
            self._name = name
            self._options = {**DEFAULT_OPTIONS, **options}
            self._client_type: str | None = None
            self._lifecycle = _Lifecycle()
            self._modules = ModuleRegistry()
            self._protocols_to_configure: list[Callable[[TrameProtocol], None]] = []
            self._runtime_listeners: list[Any] = []
            self._cli_parser: argparse.ArgumentParser | None = None
            self._state = State(self._translator, commit_fn=self._push_state)
            self._context = State(self._translator)
            self._controller = Controller(self._translator)
            self._ui = VirtualNodeManager(self, vn_constructor)
            self._state.update(
                {
                    "trame__scripts": [],
                    "trame__module_scripts": [],
                    "trame__styles": [],
                    "trame__vue_use": [],
                    "trame__client_only": ["trame__busy"],
                    "trame__busy": 1,
                    "trame__favicon": None,
                    "trame__title": "Trame",
                }
            )
            self._attach_to_kernel()
        else:
            self._name = parent_server._name
            self._options = parent_server._options
            self._client_type = parent_server._client_type
            self._state = State(self._translator, internal=parent_server._state)
            self._context = State(self._translator, internal=parent_server._context)
            self._controller = Controller(self._translator, internal=parent_server._controller)
            self._ui = parent_server._ui

    def __repr__(self) -> str:
        status = f"running on port {self.port}" if self.running else "stopped"
        return f"<trame_jupyter.Server {self.name!r} {status}>"

    def _attach_to_kernel(self) -> None:
        from .jupyter import environment

        if environment.in_kernel():
            from .jupyter.kernel import attach

            attach(self)

    # -- runtime listeners ---------------------------------------------------------------------------

    def add_runtime_listener(self, listener: Any) -> None:
        """Call ``listener.started(server)`` after every bind, ``listener.stopping(server)`` when ``stop()``
        is called (if it defines it) and ``listener.stopped(server)`` after every stop."""
        self.root_server._runtime_listeners.append(listener)

    def runtime_listener(self, kind: type[Any]) -> Any | None:
        """The listener of type ``kind`` added to this server, if any."""
        return next((x for x in self.root_server._runtime_listeners if isinstance(x, kind)), None)

    def _notify_listeners(self, event: str) -> None:
        for listener in list(self._runtime_listeners):
            handler = getattr(listener, event, None)
            if handler is None:
                continue
            try:
                handler(self)
            except Exception:
                logger.exception("Runtime listener %r failed on %s", listener, event)

    # -- identity and shared objects ---------------------------------------------------------------

    @property
    def name(self) -> str:
        """Name of the server."""
        return self._name

    @property
    def root_server(self) -> Server:
        """The server that owns the runtime (self unless this is a child)."""
        return self if self._parent is None else self._parent.root_server

    @property
    def parent_server(self) -> Server | None:
        return self._parent

    @property
    def translator(self) -> Translator:
        return self._translator

    @property
    def options(self) -> dict[str, Any]:
        """Options given at construction (shared with child servers)."""
        return self._options

    @property
    def state(self) -> State:
        """The state shared with every connected browser."""
        return self._state

    @property
    def context(self) -> State:
        """Server-only state: never sent to browsers."""
        return self._context

    @property
    def controller(self) -> Controller:
        return self._controller

    @property
    def ui(self) -> VirtualNodeManager:
        """Named virtual nodes (``server.ui.toolbar``) that layouts can include."""
        return self._ui

    @property
    def client_type(self) -> str:
        """The browser client flavour; only ``"vue3"`` is shipped. Settable once."""
        return self.root_server._client_type or "vue3"

    @client_type.setter
    def client_type(self, value: str) -> None:
        if value not in CLIENT_TYPES:
            raise ValueError(f"client_type {value!r} is not available: trame_jupyter ships a Vue 3 client ('vue3')")
        root = self.root_server
        if root._client_type is not None and root._client_type != value:
            raise TypeError(f"client_type can only be set once (already {root._client_type!r})")
        root._client_type = value

    def create_child_server(self, translator: Translator | None = None, prefix: str | None = None) -> Server:
        """A server sharing this one's runtime, whose keys, triggers and functions get ``prefix``."""
        return Server(translator=translator or Translator(prefix=prefix), parent_server=self)

    # -- notebook display --------------------------------------------------------------------------

    def view(self, ui: str = "main", height: int | str | None = None, width: int | str | None = None) -> View:
        """A displayable live view of layout ``ui`` (``display(server.view("b", height=300))``)."""
        from .jupyter.display import View

        return View(self, ui, height, width)

    # -- decorators --------------------------------------------------------------------------------

    @property
    def change(self) -> Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]:
        """``@server.change("a", "b")``: call ``fn(**state)`` when ``a`` or ``b`` changes."""
        return self._state.change

    @property
    def trigger(self) -> Callable[[str], Callable[[Callable[..., Any]], Callable[..., Any]]]:
        """``@server.trigger("name")``: let templates call ``trigger('name', args, kwargs)``."""
        return self._controller.trigger

    @property
    def trigger_name(self) -> Callable[[Callable[..., Any]], str]:
        """The trigger name of a function, registering an automatic one if needed."""
        return self._controller.trigger_name

    # -- modules, protocols --------------------------------------------------------------------------

    def enable_module(self, module: Any, **kwargs: Any) -> bool:
        """Add a module's scripts, styles, plugins, state and served directories; False if already added."""
        root = self.root_server
        return root._modules.enable(root, module, **kwargs)

    @property
    def serve(self) -> dict[str, Path]:
        """URL prefix → directory served over HTTP (filled by modules)."""
        return self.root_server._modules.serve

    def add_protocol_to_configure(self, configure_protocol_fn: Callable[[TrameProtocol], None]) -> None:
        """Call ``fn(protocol)`` at every start, e.g. to ``registerLinkProtocol`` custom RPCs."""
        root = self.root_server
        root._protocols_to_configure.append(configure_protocol_fn)
        if root._lifecycle.protocol is not None:
            configure_protocol_fn(root._lifecycle.protocol)

    @property
    def protocol(self) -> TrameProtocol | None:
        """The live wslink protocol of the running server (None before the first start)."""
        return self.root_server._lifecycle.protocol

    def protocol_call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a registered RPC in-process and return what it returns."""
        lifecycle = self.root_server._lifecycle
        if lifecycle.protocol is None or lifecycle.protocol.endpoint is None:
            raise ValueError("Protocol does not exist yet: start the server first")
        handler = lifecycle.protocol.endpoint.lookup(method)
        if handler is None:
            raise ValueError(f"No RPC named {method!r} is registered")
        return handler(*args, **kwargs)

    def js_call(self, ref: str | None = None, method: str | None = None, *args: Any) -> None:
        """Call ``method(*args)`` on the browser element registered with ``ref``."""
        protocol = self.protocol
        if protocol is None:
            logger.warning("js_call(%r, %r) ignored: server %r is not running", ref, method, self.name)
            return
        protocol.push_actions([{"type": "method", "ref": ref, "method": method, "args": list(args)}])

    def force_state_push(self, *keys: str) -> None:
        """Send these keys to every browser again, even if unchanged."""
        self.protocol_call("trame.force.push", *self._translator.translate_list(keys))

    def clear_state_client_cache(self, *keys: str) -> None:
        """Make the next change of these keys be sent even if equal to what browsers last got."""
        protocol = self.protocol
        if protocol is not None:
            protocol.forget_sent(*self._translator.translate_list(keys))

    def get_server_state(self) -> dict[str, Any]:
        """``{"name", "state"}``: what a newly connected browser receives."""
        return {"name": self.name, "state": self._state.initial}

    def _push_state(self, changes: dict[str, Any]) -> None:
        protocol = self.root_server._lifecycle.protocol
        if protocol is not None:
            protocol.push_state_change(changes)

    # -- command line ------------------------------------------------------------------------------

    @property
    def cli(self) -> argparse.ArgumentParser:
        """The argparse parser of the app (add your own flags, then ``parse_known_args()``)."""
        root = self.root_server
        if root._cli_parser is None:
            root._cli_parser = cli.build_parser()
        return root._cli_parser

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the server is starting or serving."""
        return self.root_server._lifecycle.stage != STOPPED

    @property
    def port(self) -> int:
        """The port being listened on (known as soon as ``start()`` returns; kept after stop)."""
        return self.root_server._lifecycle.port

    @property
    def server_options(self) -> argparse.Namespace:
        """The command-line options of the last start."""
        flags = self.root_server._lifecycle.flags
        if flags is None:
            raise AttributeError("server_options exist once the server has been started")
        return flags

    @property
    def host(self) -> str | None:
        """The interface listened on (None when never started)."""
        options = self.root_server._lifecycle.options
        return options.host if options is not None else None

    @property
    def secret(self) -> str | None:
        """The secret browsers present in ``wslink.hello`` (new at every start)."""
        options = self.root_server._lifecycle.options
        return options.secret if options is not None else None

    @property
    def url(self) -> str | None:
        """What a browser opens to see the ``main`` layout, secret included (None when stopped)."""
        lifecycle = self.root_server._lifecycle
        if lifecycle.stage == STOPPED or lifecycle.options is None:
            return None
        options = lifecycle.options
        host = options.host
        if host in ("0.0.0.0", "::", ""):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        scheme = "https" if options.ssl_context is not None else "http"
        return f"{scheme}://{host}:{lifecycle.port}/index.html#secret={quote(options.secret, safe='')}"

    @property
    def ready(self) -> asyncio.Future[bool]:
        """A future resolving True once serving (False if the start was cancelled, or its error)."""
        lifecycle = self.root_server._lifecycle
        if lifecycle.ready is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = lifecycle.loop
            if loop is None:
                raise RuntimeError("server.ready needs a running event loop (await it from a coroutine)")
            lifecycle.ready = loop.create_future()
            if lifecycle.stage == RUNNING:
                lifecycle.ready.set_result(True)
        return lifecycle.ready

    @property
    def network_completion(self) -> asyncio.Future[None]:
        """Awaitable that resolves once every queued message has been written to its socket."""
        protocol = self.protocol
        if protocol is None or protocol.endpoint is None:
            raise RuntimeError("network_completion exists once the server is running")
        return asyncio.ensure_future(protocol.endpoint.drain())

    def start(
        self,
        port: int | None = None,
        thread: bool = False,
        open_browser: bool | None = None,
        show_connection_info: bool = True,
        disable_logging: bool = False,
        backend: str | None = None,
        exec_mode: str = "main",
        timeout: int | None = None,
        host: str | None = None,
        **kwargs: Any,
    ) -> asyncio.Task[None] | Coroutine[Any, Any, None] | None:
        """Start serving (see ``SEED.md``): ``main``/``desktop`` block, ``task`` returns an
        ``asyncio.Task`` (the port is bound already), ``coroutine`` returns a coroutine to schedule.

        A call while the server is starting or running does nothing and returns None.
        """
        if self._parent is not None:
            self.root_server.start(
                port,
                thread,
                open_browser,
                show_connection_info,
                disable_logging,
                backend,
                exec_mode,
                timeout,
                host,
                **kwargs,
            )
            return None
        lifecycle = self._lifecycle
        if lifecycle.stage != STOPPED:
            return None

        in_loop = _running_loop() is not None
        if exec_mode in ("main", "desktop") and in_loop:
            print(f"trame_jupyter: {self.name!r} started as a task, since an event loop is already running here")
            exec_mode = "task"
        # Only a script owns its command line: not a kernel, not a server embedded in a thread.
        owns_argv = (
            exec_mode in ("main", "desktop") and not thread and threading.current_thread() is threading.main_thread()
        )
        flags, _ = self.cli.parse_known_args(cli.command_line_args(read_argv=owns_argv))
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
        self._configure_logging(options)
        if options.desktop:
            from .desktop import window_program

            window_program(kwargs.get("browser"))  # fail now, before binding, if no window can open
        runner = self._prepare(options, flags)
        lifecycle.extra = kwargs
        coroutine = self._serve(runner, options)
        if options.exec_mode == "coroutine":
            return coroutine
        if options.exec_mode == "task":
            task = asyncio.get_running_loop().create_task(coroutine, name=f"trame_jupyter server {self.name}")
            task.add_done_callback(self._report_task_end)
            return task
        self._run_blocking(coroutine)
        return None

    def _prepare(self, options: StartOptions, flags: argparse.Namespace) -> Runner:
        """Everything up to a bound socket, synchronously; on failure nothing is left half-started."""
        if self._modules.www is None and options.content is None:
            self.enable_module({"www": str(STATIC_DIR)})
        www = options.content or self._modules.www
        if www is not None and not www.is_dir():
            logger.error(
                "The web client at %s is missing: the server will answer websockets only. %s", www, _BUILD_HINT
            )
            www = None
        if self._controller.on_server_start.exists():
            self._controller.on_server_start(self)

        protocol = TrameProtocol(self, options.secret, allow_client_exit=options.exec_mode in ("main", "desktop"))
        for configure in self._protocols_to_configure:
            configure(protocol)
        heartbeat = float(self._options["ws_heart_beat"] or 0)
        endpoint = WslinkEndpoint(
            protocol,
            EndpointLimits(
                max_message_size=int(self._options["ws_max_msg_size"]),
                max_frame_size=min(MAX_FRAME_SIZE, int(self._options["ws_max_msg_size"])),
            ),
            heartbeat=heartbeat if heartbeat >= 1 else None,
            compress=options.ws_compress,
            stop_server=self._request_stop,
            network_log=NetworkLog.open(self._options["log_network"]),
        )
        protocol.endpoint = endpoint
        endpoint.bind_protocols()
        runner = Runner(
            RunnerConfig(
                host=options.host,
                port=options.port,
                ws_path=options.ws_path,
                http=options.http,
                www=www,
                serve={**self._modules.serve, **options.fs_endpoints},
                follow_symlinks=options.follow_symlinks,
                handle_signals=options.handle_signals,
                idle_timeout=options.timeout,
                ssl_context=options.ssl_context,
            ),
            endpoint,
        )
        endpoint.on_client_count = runner.on_client_count
        port = runner.bind()  # raises PortInUseError naming the port

        lifecycle = self._lifecycle
        lifecycle.stage = STARTING
        lifecycle.port = port
        lifecycle.options = options
        lifecycle.flags = flags
        lifecycle.runner = runner
        lifecycle.protocol = protocol
        lifecycle.stopped = None
        lifecycle.serving = False
        try:
            if self._controller.on_server_bind.exists():
                self._controller.on_server_bind(runner)
        except Exception:
            self._stop_unstarted()  # release the socket: a failed start leaves nothing behind
            raise
        self._notify_listeners("started")
        return runner

    async def _serve(self, runner: Runner, options: StartOptions) -> None:
        lifecycle = self._lifecycle
        lifecycle.loop = asyncio.get_running_loop()
        lifecycle.stopped = asyncio.Event()
        lifecycle.serving = True
        try:
            await runner.serve(on_ready=lambda: self._on_ready(options))
        except asyncio.CancelledError:
            self._settle_ready(False)
            raise
        except BaseException as error:
            self._settle_ready(error)
            raise
        finally:
            await self._after_stop()

    def _on_ready(self, options: StartOptions) -> None:
        lifecycle = self._lifecycle
        lifecycle.stage = RUNNING
        for state in (self._state, self._context):
            try:
                state.ready()
            except Exception:
                logger.exception("Flushing the state written before start failed")
        if self._controller.on_server_ready.exists():
            try:
                self._controller.on_server_ready(**self._state.to_dict())
            except Exception:
                logger.exception("ctrl.on_server_ready failed")
        self._settle_ready(True)
        if options.banner:
            print(f"\n  trame_jupyter · {self.name} · port {lifecycle.port}\n")
        if options.show_connection_info:
            print(f"\nApp running at:\n - Local:   {self.url}\n", flush=True)
        if options.open_browser:
            asyncio.get_running_loop().call_later(0.1, webbrowser.open, self.url)
        if options.desktop:
            from .desktop import open_window

            lifecycle.window = open_window(self, debug=bool(self._options["desktop_debug"]), **lifecycle.extra)

    def _settle_ready(self, outcome: bool | BaseException) -> None:
        future = self._lifecycle.ready
        if future is None or future.done():
            return  # nobody is waiting (a future created later sees the stage instead)
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
            future.exception()  # mark it retrieved: the task's own error report is enough
        else:
            future.set_result(outcome)

    async def _after_stop(self) -> None:
        lifecycle = self._lifecycle
        self._settle_ready(False)
        if lifecycle.window is not None and not lifecycle.window.done():
            lifecycle.window.cancel()
        lifecycle.window = None
        lifecycle.stage = STOPPED
        lifecycle.ready = None
        lifecycle.runner = None
        lifecycle.protocol = None
        self._notify_listeners("stopped")
        if lifecycle.stopped is not None:
            lifecycle.stopped.set()
        exited = self._controller.on_server_exited
        if exited.exists():
            try:
                result = exited(**self._state.to_dict())
                for item in result if isinstance(result, list) else [result]:
                    if asyncio.iscoroutine(item) or isinstance(item, asyncio.Future):
                        await item
            except Exception:
                logger.exception("ctrl.on_server_exited failed")

    def _report_task_end(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            # Cancelled before its first step: the serve coroutine never ran its own cleanup.
            self._settle_ready(False)
            self._stop_unstarted()
        elif task.exception() is not None:
            logger.error("Server %r stopped with an error", self.name, exc_info=task.exception())

    def _run_blocking(self, coroutine: Coroutine[Any, Any, None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        task = loop.create_task(coroutine)
        try:
            loop.run_until_complete(task)
        except (KeyboardInterrupt, SystemExit):
            self._request_stop()
            loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    def _request_stop(self) -> None:
        runner = self._lifecycle.runner
        if runner is not None:
            runner.request_stop()

    def stop(self) -> StopHandle:
        """Stop serving. Awaitable (``await server.stop()``), and also effective without ``await``."""
        root = self.root_server
        if root is not self:
            return root.stop()
        if root.running:
            # Synchronously, in the caller's context: a notebook display update made here belongs to
            # the cell that called stop() (ipykernel routes output by the caller's context).
            root._notify_listeners("stopping")
        here = _running_loop()
        home = root._lifecycle.loop
        if home is not None and home is not here and home.is_running():  # from another thread or loop
            return StopHandle(root.name, asyncio.run_coroutine_threadsafe(root._stop(), home))
        if here is None:
            root._stop_unstarted()
            return StopHandle(root.name, None)
        return StopHandle(root.name, here.create_task(root._stop()))

    async def _stop(self) -> None:
        lifecycle = self._lifecycle
        if lifecycle.stage == STOPPED:
            return
        if not lifecycle.serving:
            self._stop_unstarted()
            return
        self._request_stop()
        if lifecycle.stopped is not None:
            await lifecycle.stopped.wait()

    def _stop_unstarted(self) -> None:
        """Release a socket bound by a start whose coroutine never ran."""
        lifecycle = self._lifecycle
        if lifecycle.runner is not None and not lifecycle.serving:
            lifecycle.runner.request_stop()
            lifecycle.stage = STOPPED
            lifecycle.runner = None
            lifecycle.protocol = None
            lifecycle.ready = None
            self._notify_listeners("stopped")

    def _configure_logging(self, options: StartOptions) -> None:
        if options.disable_logging:
            return
        if options.debug:
            logging.getLogger("trame_jupyter").setLevel(logging.DEBUG)
            if not logging.getLogger().handlers:
                logging.basicConfig(stream=sys.stderr)


_BUILD_HINT = (
    "It is built at install time by `pip install .` from a source checkout (needs Node.js >= 20); "
    "wheels ship it prebuilt."
)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


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
