"""``display(server)`` in a real kernel: our MIME bundle with no ``await``, several views of one server, and
the HTML fallback's address for each environment."""

from __future__ import annotations

import json

import pytest
from support.kernel_apps import APP, show_app

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = pytest.mark.jupyter


def test_display_needs_no_await_and_emits_our_bundle(jupyter, kernel):
    result = kernel.execute(APP.format(name="display"))
    bundle = result.bundle(MIME_TYPE)
    data = bundle[MIME_TYPE]
    assert data["path"] == f"trame-jupyter/{data['server_id']}/index.html?ui=main&server_id={data['server_id']}"
    assert data["ui"] == "main" and data["kernel_id"] == kernel.kernel_id
    assert data["version"] == kernel.value("__import__('trame_jupyter').__version__")
    assert bundle["text/plain"] == "<trame_jupyter view of 'display', layout 'main'>"
    # A Jupyter server runs here, so the fallback iframe uses its proxy route (no secret in the notebook).
    assert f'src="{jupyter.base_url}{data["path"]}"'.replace("&", "&amp;") in bundle["text/html"]
    assert kernel.value("server.secret") not in json.dumps(bundle)
    assert kernel.value("server.running") is True


def test_other_cells_reuse_the_server_and_several_views_share_state(jupyter, kernel):
    data = show_app(kernel, "shared")
    other = kernel.execute("from trame_jupyter import get_server\nsame = get_server('shared')\ndisplay(same)")
    assert other.bundle(MIME_TYPE)[MIME_TYPE]["server_id"] == data["server_id"]
    assert kernel.value("same is server")
    views = kernel.execute(
        "from trame_jupyter.ui import DivLayout\n"
        "with DivLayout(server, 'side') as side:\n    html.Span('{{ label }}')\n"
        "display(side)\ndisplay(server.view('side', height=300, width='50%'))"
    )
    bundles = [b[MIME_TYPE] for b in views.bundles()]
    assert [b["ui"] for b in bundles] == ["side", "side"]
    assert bundles[1]["height"] == "300px" and bundles[1]["width"] == "50%"
    fallback = views.bundles()[1]["text/html"]
    assert "width: 50%" in fallback and 'fixed="300px"' in fallback  # the frame's fixed height once live


def test_fallback_urls_follow_the_environment(jupyter, kernel):
    kernel.execute(APP.format(name="envs"))
    hub = kernel.execute(
        "import os\nos.environ['JUPYTERHUB_SERVICE_PREFIX'] = '/user/bob/'\n"
        "display(server)\ndel os.environ['JUPYTERHUB_SERVICE_PREFIX']"
    ).bundle(MIME_TYPE)
    assert 'src="/user/bob/trame-jupyter/' in hub["text/html"]
    code = "import os\nos.environ['VSCODE_PID'] = '1'\ndisplay(server)\ndel os.environ['VSCODE_PID']"
    vscode = kernel.execute(code).bundle(MIME_TYPE)
    port = kernel.value("server.port")
    assert f'src="http://localhost:{port}/index.html?ui=main' in vscode["text/html"]
