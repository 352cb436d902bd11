"""A link in a view leads to a page of another site, which posts our relay's messages to its parent (open a
channel, fetch a file) as a page of ours would: in JupyterLab (a view over the proxy, one over the comm) and
in ``server.widget``, nothing of it reaches the kernel. The relays hear only the page they loaded (its
window and its origin), a proxied page has no relay at all, and a page loaded over the comm that navigates
away loses its channels."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from support.jupyter_harness import free_port
from support.lab_harness import LabServer, execute, open_notebook, run_cell, view, wait_state

from trame_jupyter.core.contract import COMM_TARGET, MESSAGE_COMM_OPEN, MESSAGE_FETCH

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

# The other site's page: it posts the relay's messages to the window embedding it, for the server it names.
FOREIGN_PAGE = f"""<!doctype html><title>elsewhere</title><body>another site<script>
const serverId = new URLSearchParams(location.search).get('server_id');
const post = (message) => parent.postMessage({{...message, server_id: serverId}}, '*');
for (let channel = 1; channel <= 3; channel++) post({{type: '{MESSAGE_COMM_OPEN}', channel}});
post({{type: '{MESSAGE_FETCH}', id: 1, path: 'index.html'}});
document.title = 'posted';
</script></body>"""


@pytest.fixture(scope="module")
def other_site() -> Iterator[str]:
    """A web server on another port (so another origin) serving the foreign page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FOREIGN_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    server.shutdown()
    server.server_close()


def app_with_link(name: str, site: str, show: str) -> str:
    return (
        "from trame_jupyter import get_server, display\nfrom trame_jupyter.ui import DivLayout\n"
        "from trame_jupyter.widgets import html\n"
        f"server = get_server({name!r})\n"
        "sid = __import__('trame_jupyter.server.registry', fromlist=['registry']).registry.host.server_id(server)\n"
        "with DivLayout(server):\n"
        f"    html.A('elsewhere', href={site!r} + '?server_id=' + sid, classes='away')\n"
        "    html.Div('{{ 1 + 1 }}', classes='ready')\n"
        f"{show}"
    )


# What the kernel carries for pages: comms to our target (Lab's relay) and the widget's channels.
CARRIED = (
    "import json\n"
    "print(json.dumps({'comms': sorted(c.comm_id for c in get_ipython().kernel.comm_manager.comms.values() "
    f"if getattr(c, 'target_name', '') == {COMM_TARGET!r}), "
    "'channels': getattr(globals().get('widget'), 'channel_count', 0)}))"
)


def follow_link(page: Any, frame_selector: str, site: str) -> None:
    """Click the app's link inside the view and wait until the other site's page has posted."""
    app = page.frame_locator(frame_selector).first
    app.locator(".ready").filter(has_text="2").wait_for()
    app.locator("a.away").click()
    elsewhere = None
    for _ in range(200):  # the frame navigates: find it by its new address
        elsewhere = next((f for f in page.frames if f.url.startswith(site)), None)
        if elsewhere is not None:
            break
        page.wait_for_timeout(50)
    assert elsewhere is not None, [f.url for f in page.frames]
    elsewhere.wait_for_function("() => document.title === 'posted'")
    page.wait_for_timeout(1500)  # room for the kernel to open what the relay would have asked for


@pytest.mark.parametrize(
    ("show", "frame_selector"),
    [
        pytest.param("display(server)", ".jp-Notebook .trame-jupyter-frame", id="lab-proxy"),
        pytest.param('display(server, transport="comm")', ".jp-Notebook .trame-jupyter-frame", id="lab-comm"),
        pytest.param("widget = server.widget\nwidget", ".trame-jupyter-widget-frame", id="widget"),
    ],
)
def test_a_page_of_another_site_in_a_view_is_not_heard(
    lab: LabServer, page: Any, other_site: str, show: str, frame_selector: str
) -> None:
    cells = [app_with_link("relay-origin", other_site, show), CARRIED]
    open_notebook(page, lab, lab.write_notebook("relay-origin.ipynb", cells))
    run_cell(page, 0)
    if "widget" not in show:
        wait_state(page, view(page, 0), "live")
    page.frame_locator(frame_selector).first.locator(".ready").filter(has_text="2").wait_for(timeout=60_000)
    before = json.loads(execute(page, 1, CARRIED))
    if "comm" in show:
        assert before["comms"], before  # the check sees the comms of a page over the comm
    follow_link(page, frame_selector, other_site)
    after = json.loads(execute(page, 1, CARRIED))
    # No comm opened for the other site's three channels (the view's own page over the comm lost its
    # channel; the view may open one to fetch its page again).
    assert len(after["comms"]) <= len(before["comms"]), (before, after)
    assert after["channels"] <= before["channels"], (before, after)  # no channel of the widget either
    assert not page.errors, page.errors
