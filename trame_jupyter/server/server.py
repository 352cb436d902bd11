"""``Server``: the object an application holds — state, controller, UI, and its web server's lifecycle.

The API is trame-server's (``SEED.md``); the differences are listed in ``docs/protocol.md``. This
module is the facade: the start/stop state machine is ``lifecycle.py``, the wire protocol
``protocol.py``, the process registry ``servers.py``. Everything a started server owns lives on its
root server's ``Lifecycle``, so any number of servers run side by side in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

from ..core.controller import Controller
from ..core.state import State
from ..core.translator import Translator
from ..core.widgets.virtual_node import VirtualNodeManager
from . import cli
from .http_headers import HttpHeaders
from .lifecycle import Lifecycle, StopHandle
from .modules import ModuleRegistry
from .options import ServerOptions
from .protocol import TrameProtocol
from .registry import DEFAULT_NAME, registry
from .runner import StaticFiles
from .view import View

logger = logging.getLogger(__name__)

CLIENT_TYPES = ("vue3",)
#: Reserved keys every server starts with (trame-server-behaviour.md §2.7).
INITIAL_STATE: dict[str, Any] = {
    "trame__scripts": [],
    "trame__module_scripts": [],
    "trame__styles": [],
    "trame__vue_use": [],
    "trame__client_only": ["trame__busy"],
    "trame__busy": 1,
    "trame__favicon": None,
    "trame__title": "Trame",
    "trame__mousetrap": [],
}

__all__ = ["Server", "StopHandle", "get_server"]


T = TypeVar("T")


class Server:
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
        trame-server's options (``ServerOptions``): ``log_network`` (path or False),
        ``ws_max_msg_size`` (bytes, default 10 MB), ``ws_heart_beat`` (seconds, default 30),
        ``desktop_debug``. Unknown names raise ``UnknownOptionError``.
    """

    def __init__(
        self,
        name: str = DEFAULT_NAME,
        vn_constructor: Callable[..., Any] | None = None,
        translator: Translator | None = None,
        parent_server: Server | None = None,
        **options: Any,
    ) -> None:
        self._translator = translator or Translator()
        self._parent = parent_server
        if parent_server is not None:
            if options:
                raise TypeError("a child server shares its parent's options: pass none")
            self._name = parent_server._name
            self._options = parent_server._options
            self._state = State(self._translator, internal=parent_server._state)
            self._context = State(self._translator, internal=parent_server._context)
            self._controller = Controller(self._translator, internal=parent_server._controller)
            self._ui = parent_server._ui
            return
        self._name = name
        self._options = ServerOptions.from_kwargs(options)
        self._client_type: str | None = None
        self._modules = ModuleRegistry()
        self._lifecycle = Lifecycle(self, self._modules)
        self._cli_parser: argparse.ArgumentParser | None = None
        self._http_headers = HttpHeaders()
        self._state = State(self._translator, commit_fn=self._push_state)
        self._context = State(self._translator)
        self._controller = Controller(self._translator)
        self._ui = VirtualNodeManager(self, vn_constructor)
        self._state.update(INITIAL_STATE)
        registry.register(self)

    def __repr__(self) -> str:
        status = f"running on port {self.port}" if self.running else "stopped"
        return f"<trame_jupyter.Server {self.name!r} {status}>"

    # -- runtime listeners ---------------------------------------------------------------------------

    def add_runtime_listener(self, listener: Any) -> None:
        """Call ``listener.started(server)`` after every bind, ``listener.stopping(server)`` when ``stop()``
        is called and ``listener.stopped(server)`` after every stop (each method optional)."""
        self.root_server._lifecycle.listeners.append(listener)

    def runtime_listener(self, kind: type[Any]) -> Any | None:
        """The listener of type ``kind`` added to this server, if any."""
        return next((x for x in self.root_server._lifecycle.listeners if isinstance(x, kind)), None)

    def ensure_runtime_listener(self, kind: type[T], make: Callable[[], T] | None = None) -> T:
        """The listener of type ``kind`` of this server, added (``make()``, else ``kind()``) if it has none."""
        listener = self.runtime_listener(kind)
        if listener is None:
            listener = make() if make is not None else kind()
            self.add_runtime_listener(listener)
        return listener

    # -- identity and shared objects ---------------------------------------------------------------

    @property
    def name(self) -> str:
        """Name of the server."""
        return self._name

    @property
    def key(self) -> str:
        """A name for this server that is unique in the process (its name, unless another server has it)."""
        return registry.key(self)

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
    def options(self) -> ServerOptions:
        """Options given at construction, checked and frozen (shared with child servers)."""
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

    # -- views -------------------------------------------------------------------------------------

    def view(
        self,
        ui: str = "main",
        height: int | str | None = None,
        width: int | str | None = None,
        transport: str | None = None,
    ) -> View:
        """A view of layout ``ui``, optionally sized (``display(server.view("b", height=300))``); ``transport``
        forces how its page reaches the server: ``"comm"`` (a kernel comm) or ``"proxy"``."""
        return View.of(self, ui, height, width, transport)

    @property
    def widget(self) -> Any:
        """The ``main`` layout as an ipywidgets widget (for ``VBox``, ``Tab`` …), a new one at each access; an
        anywidget, so it renders with or without our extension (Voilà, VS Code, Colab); needs a Jupyter kernel."""
        return self.view().widget

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
    def serve(self) -> dict[str, Any]:
        """URL prefix → directory served over HTTP (filled by modules; editable before a start)."""
        return self.root_server._modules.serve

    @property
    def static_files(self) -> StaticFiles | None:
        """The files the running server serves (its page, its modules' ``serve`` directories), for what
        fetches them other than HTTP (a kernel comm); None when not started or started without HTTP."""
        run = self.root_server._lifecycle.run
        return run.runner.files if run is not None else None

    @property
    def http_headers(self) -> HttpHeaders:
        """Extra headers of every HTTP response (``shared_array_buffer``, ``set_header``)."""
        return self.root_server._http_headers

    def add_protocol_to_configure(self, configure_protocol_fn: Callable[[TrameProtocol], None]) -> None:
        """Call ``fn(protocol)`` at every start, e.g. to ``registerLinkProtocol`` custom RPCs."""
        lifecycle = self.root_server._lifecycle
        lifecycle.protocol_configurators.append(configure_protocol_fn)
        if lifecycle.protocol is not None:
            configure_protocol_fn(lifecycle.protocol)

    @property
    def protocol(self) -> TrameProtocol | None:
        """The live wslink protocol of the running server (None when not started)."""
        return self.root_server._lifecycle.protocol

    def protocol_call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a registered RPC in-process and return what it returns."""
        protocol = self.protocol
        if protocol is None or protocol.endpoint is None:
            raise ValueError("Protocol does not exist yet: start the server first")
        handler = protocol.endpoint.lookup(method)
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
        protocol = self.protocol
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
        """True while the server is starting, serving or stopping."""
        return self.root_server._lifecycle.running

    @property
    def stopping(self) -> bool:
        """True from ``stop()`` until the server has stopped: it takes no new client."""
        return self.root_server._lifecycle.stopping

    @property
    def port(self) -> int:
        """The port being listened on (known as soon as ``start()`` returns; kept after stop)."""
        return self.root_server._lifecycle.port

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop the server serves on (None when it is not serving)."""
        return self.root_server._lifecycle.loop

    @property
    def server_options(self) -> argparse.Namespace:
        """The command-line options of the current start."""
        run = self.root_server._lifecycle.run
        if run is None:
            raise AttributeError("server_options exist while the server is started")
        return run.flags

    @property
    def host(self) -> str | None:
        """The interface listened on (None when not started)."""
        run = self.root_server._lifecycle.run
        return run.options.host if run is not None else None

    @property
    def secret(self) -> str | None:
        """The secret browsers present in ``wslink.hello`` (new at every start; None when not started)."""
        run = self.root_server._lifecycle.run
        return run.options.secret if run is not None else None

    @property
    def url(self) -> str | None:
        """What a browser opens to see the ``main`` layout, secret included (None when stopped)."""
        run = self.root_server._lifecycle.run
        if run is None:
            return None
        options = run.options
        host = options.host
        if host in ("0.0.0.0", "::", ""):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        scheme = "https" if options.ssl_context is not None else "http"
        return f"{scheme}://{host}:{run.port}/index.html#secret={quote(options.secret, safe='')}"

    @property
    def ready(self) -> asyncio.Future[bool] | concurrent.futures.Future[bool]:
        """A future resolving True once serving (False if the start ended first, or the start's error).

        On the caller's event loop; from a thread without one, a ``concurrent.futures.Future``
        (``server.ready.result(timeout)`` waits for a server started in another thread).
        """
        return self.root_server._lifecycle.ready()

    @property
    def network_completion(self) -> asyncio.Future[None]:
        """Awaitable that resolves once every queued message has been written to its client."""
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

        ``kwargs`` are options of a desktop window (``lifecycle.WINDOW_OPTIONS``). A call while the
        server is starting or running does nothing and returns None.
        """
        lifecycle = self.root_server._lifecycle
        result = lifecycle.start(
            port=port,
            thread=thread,
            open_browser=open_browser,
            show_connection_info=show_connection_info,
            disable_logging=disable_logging,
            backend=backend,
            exec_mode=exec_mode,
            timeout=timeout,
            host=host,
            window_options=kwargs,
        )
        return result if self._parent is None else None

    def stop(self) -> StopHandle:
        """Stop serving. Awaitable (``await server.stop()``), and also effective without ``await``."""
        return self.root_server._lifecycle.stop()


def get_server(name: str | Server | None = None, *, client_type: str | None = None, **options: Any) -> Server:
    """The server registered under ``name`` (default ``"trame"``), created on first use.

    A ``Server`` argument is returned as is; ``options`` apply when the server is created. As in trame,
    every call with that name returns that server, except in a notebook when the cell that created it runs
    again: that run creates a new server, which replaces (stops) the server of the run before.
    """
    if isinstance(name, Server):
        server = name
    else:
        server = registry.get_or_create(DEFAULT_NAME if name is None else name, lambda key: Server(key, **options))
    if client_type is not None:
        server.client_type = client_type
    return server
