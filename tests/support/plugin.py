"""The suite's pytest plugin: every shared fixture, and ``async def`` tests on a fresh event loop.

Loaded by ``tests/conftest.py``; tests import their helpers from ``support.*``, never from a conftest.
Scopes follow cost: Chromium and the Jupyter servers start once per test process (pytest-xdist runs one
process per worker), kernels once per module, pages and in-process servers once per test.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trame_jupyter import Server

from .aio import run_coroutine
from .browser_app import App, Console, add_session_route
from .chromium import CHROMIUM, CHROMIUM_ARGS
from .comm_front_end import FrontEnd
from .jupyter_harness import JupyterServer, Kernel, start_jupyter, stop_jupyter
from .server_thread import ServerThread

TESTS = Path(__file__).parents[1]
STATIC_INDEX = TESTS.parent / "trame_jupyter" / "static" / "index.html"

#: Test modules that need optional packages (the test command installs them; a core-only environment
#: still runs the rest of the suite): path under tests/ → the modules they import.
WIDGETS = ("trame_client", "trame_vuetify", "trame_plotly", "trame_matplotlib", "trame_markdown")
VTK = ("vtkmodules", "trame_vtk")
OPTIONAL = {
    "client/test_trame_widgets.py": WIDGETS,
    "app/test_trame_python.py": WIDGETS,
    "client/test_3d_views.py": VTK,
    "client/test_3d_proxied.py": VTK,
    "server/test_vtkweb.py": VTK,
    "app/test_pyvista_ui.py": (*VTK, "pyvista", "trame_pyvista"),
}


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    relative = collection_path.relative_to(TESTS).as_posix() if collection_path.is_relative_to(TESTS) else ""
    needs = OPTIONAL.get(relative)
    if needs and any(importlib.util.find_spec(name) is None for name in needs):
        return True
    return None


#: Test files whose tests stand alone (each opens its own notebook in a new kernel): with pytest-xdist their
#: tests are spread one by one over the workers; every other file runs whole in one worker (see below).
SPREAD_OVER_WORKERS = frozenset({"tests/labextension/test_notebooks.py"})


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist (the test command runs it): the tests of one file run in one worker, in order, sharing
    their module's fixtures (a notebook's cells, a module's kernel); those of SPREAD_OVER_WORKERS one by one."""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPREAD_OVER_WORKERS else path

    config.option.loadscopereorder = False  # keep the order of pytest_collection_modifyitems below
    return FileScheduling(config, log)


#: Which tests start first (lowest first): the slowest files lead, so the short ones fill the workers at the
#: end instead of a JupyterLab test running alone while the other workers idle.
FIRST = ("tests/labextension/", "tests/hub/", "notebooks/", "tests/jupyter/", "tests/client/", "tests/app/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next((i for i, prefix in enumerate(FIRST) if path.startswith(prefix)), len(FIRST))

    items.sort(key=rank)  # stable: every file keeps its tests in their order


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run coroutine tests with ``asyncio.run`` (a new loop per test)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run_coroutine(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


# -- Chromium -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, driven by Playwright (both installed by the test command)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (scripts/test.sh does)")
    if not STATIC_INDEX.exists():
        pytest.fail(f"{STATIC_INDEX} is missing: build the client first (npm install && npm run build:prod)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def new_page(context: Any) -> Callable[[], Any]:
    """Open another tab; each has ``.console`` (a Console) recording console output and page errors."""

    def open_page() -> Any:
        page = context.new_page()
        console = Console()
        page.on("console", lambda message: console.add(message.type, message.text))
        page.on("pageerror", lambda error: console.add("pageerror", str(error)))
        page.console = console
        return page

    return open_page


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """A tab of its own (JupyterLab tests override it: tests/labextension/conftest.py)."""
    return new_page()


# -- servers on a loop thread, for the browser -------------------------------------------------------

_names = itertools.count()


@pytest.fixture
def server_thread() -> Iterator[ServerThread]:
    thread = ServerThread()
    yield thread
    thread.close()


@pytest.fixture
def serve(server_thread: ServerThread) -> Callable[..., App]:
    """``serve(build, session_endpoint=False, **start)``: build a server on the loop thread and start it.

    ``session_endpoint=True`` adds the route the Jupyter proxy serves (``__trame_jupyter__/session``).
    """

    def start(build: Callable[[Server], None], session_endpoint: bool = False, **start_kwargs: Any) -> App:
        server = Server(f"browser-test-{next(_names)}")
        app = App(server, server_thread)

        def setup() -> None:
            server.controller.on_error.add(app.browser_errors.append)
            if session_endpoint:
                add_session_route(app)
            build(server)

        server_thread.run(setup)
        server_thread.start(server, **start_kwargs)
        return app

    return start


# -- Jupyter ------------------------------------------------------------------------------------------


class JupyterServers:
    """The Jupyter servers (with our extension) of one test process, started on first use, one per base URL."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._started: dict[tuple[str, str], JupyterServer] = {}

    def get(self, base_url: str = "/", app: str = "server") -> JupyterServer:
        key = (app, base_url)
        if key not in self._started:
            name = f"{app}-{base_url.strip('/').replace('/', '-') or 'root'}"
            self._started[key] = start_jupyter(self._tmp.mktemp(name), base_url, app=app)
        return self._started[key]

    def shutdown_kernels(self) -> None:
        """Shut down every kernel these servers run (what a module's pages started must not pile up)."""
        for server in self._started.values():
            for session in server.http("api/sessions").json():
                server.http(f"api/sessions/{session['id']}", method="DELETE")
            for kernel in server.http("api/kernels").json():
                server.http(f"api/kernels/{kernel['id']}", method="DELETE")

    def close(self) -> None:
        for server in self._started.values():
            stop_jupyter(server)
            if server.process.returncode not in (0, -15, 143):
                print(server.log())  # shown for a failing test only
            shutil.rmtree(server.runtime_dir, ignore_errors=True)


_SERVERS = pytest.StashKey[JupyterServers]()


@pytest.fixture(scope="session")
def jupyter_servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServers]:
    servers = request.config.stash[_SERVERS] = JupyterServers(tmp_path_factory)
    yield servers
    servers.close()


@pytest.fixture(scope="module", autouse=True)
def _kernels_end_with_their_module(request: pytest.FixtureRequest) -> Iterator[None]:
    """Kernels the tests of a module started (their pages, their cells) end with the module: the Jupyter
    servers are shared by the whole run, their kernels must not pile up."""
    yield
    servers = request.config.stash.get(_SERVERS, None)
    if servers is not None:
        servers.shutdown_kernels()


@pytest.fixture(scope="module", params=["/", "/user/alice/"], ids=["base_url=/", "base_url=/user/alice/"])
def jupyter(request: pytest.FixtureRequest, jupyter_servers: JupyterServers) -> JupyterServer:
    """A ``jupyter server`` with our extension, at the root and under a hub-like base URL."""
    return jupyter_servers.get(request.param)


@pytest.fixture(scope="session")
def jupyter_root(jupyter_servers: JupyterServers) -> JupyterServer:
    """The ``jupyter server`` at base URL ``/`` (tests where the base URL makes no difference)."""
    return jupyter_servers.get("/")


class KernelPool:
    """The kernels of one test module, one per Jupyter server, started on first use."""

    def __init__(self) -> None:
        self._kernels: dict[int, Kernel] = {}

    def of(self, server: JupyterServer) -> Kernel:
        if id(server) not in self._kernels:
            self._kernels[id(server)] = server.start_kernel()
        return self._kernels[id(server)]

    def shutdown(self) -> None:
        for kernel in self._kernels.values():
            kernel.shutdown()


@pytest.fixture(scope="module")
def kernels() -> Iterator[KernelPool]:
    pool = KernelPool()
    yield pool
    pool.shutdown()


@pytest.fixture(scope="module")
def kernel(jupyter: JupyterServer, kernels: KernelPool) -> Kernel:
    """A kernel of ``jupyter``, shared by the tests of one module."""
    return kernels.of(jupyter)


@pytest.fixture(scope="module")
def kernel_root(jupyter_root: JupyterServer, kernels: KernelPool) -> Kernel:
    """A kernel of ``jupyter_root``, shared by the tests of one module."""
    return kernels.of(jupyter_root)


@pytest.fixture(scope="session")
def lab(jupyter_servers: JupyterServers) -> JupyterServer:
    """JupyterLab at base URL ``/``."""
    return jupyter_servers.get("/", app="lab")


@pytest.fixture(scope="session")
def lab_prefixed(jupyter_servers: JupyterServers) -> JupyterServer:
    """JupyterLab under a hub-like base URL."""
    return jupyter_servers.get("/user/alice/", app="lab")


@pytest.fixture(scope="session")
def notebook7(jupyter_servers: JupyterServers) -> JupyterServer:
    """Notebook 7 at base URL ``/``."""
    return jupyter_servers.get("/", app="notebook")


@pytest.fixture(scope="module")
def front_end(kernel_root: Kernel) -> FrontEnd:
    """A front end of the module's kernel's comms (``support.comm_front_end``)."""
    return FrontEnd(kernel_root)


@pytest.fixture(scope="module")
def app(front_end: FrontEnd) -> dict[str, Any]:
    """The bundle of a server displayed in that kernel (``server`` in the kernel's namespace)."""
    return front_end.show("comm")
