"""trame's packages are optional: without them, the package imports, builds layouts and serves pages.

The check runs in a fresh interpreter where importing trame, trame_client, trame_common, trame_server or
any widget package fails, as it does where they are not installed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKED = ("trame", "trame_client", "trame_common", "trame_server", "trame_vuetify", "trame_plotly")

PROGRAM = textwrap.dedent(
    """
    import asyncio, sys, urllib.request

    BLOCKED = {blocked!r}

    class Missing:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Missing())

    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    async def main():
        server = get_server("core-only")
        with DivLayout(server):
            html.Input(type="range", v_model=("value", 3))
        server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False)
        await server.ready
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(f"http://127.0.0.1:{{server.port}}/").read())
        await server.stop()
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
        print("page", len(page), "state", server.state.value, "loaded", loaded)

    asyncio.run(main())

    try:
        import trame_jupyter.decorators  # needs trame-common: a clear error with the fix
    except ImportError as error:
        print("decorators:", error)
    """
).format(blocked=BLOCKED)


def test_the_package_works_without_trames_packages():
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    served, refused = result.stdout.splitlines()
    _, page_bytes, _, value, _, loaded = served.split(" ", 5)
    assert int(page_bytes) > 200  # the client's index page
    assert value == "3"
    assert loaded == "[]"  # nothing of trame's was imported, or even attempted with success
    assert refused.startswith("decorators:") and 'pip install "trame-jupyter[trame]"' in refused
