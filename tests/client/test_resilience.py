"""Dropped connections: a visible reconnecting state, a full resync, and a clear end when the server is gone."""

from __future__ import annotations

import pytest
from support.browser_helpers import wait_status, wait_text

from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

pytestmark = pytest.mark.browser


def _counter_app(server):
    server.state.value = "before"
    with DivLayout(server):
        html.Div("{{ value }}", id="value")
        html.Input(v_model=("typed", ""), id="typed")


@pytest.mark.parametrize("secret_from", ["session-endpoint", "fixed-secret"])
def test_restart_on_the_same_port_shows_reconnecting_then_resyncs(serve, page, monkeypatch, secret_from):
    if secret_from == "fixed-secret":
        # The page keeps the secret it read from its address: the restarted server must accept it.
        monkeypatch.setenv("TRAME_ARGS", "--authKey browser-test-secret")
    app = serve(_counter_app, session_endpoint=secret_from == "session-endpoint")
    page.goto(app.bare_url if secret_from == "session-endpoint" else app.url)
    wait_text(page, "#value", "before")
    wait_status(page, "live")
    port, first_secret = app.server.port, app.server.secret

    app.thread.stop(app.server)
    wait_status(page, "reconnecting")
    assert page.get_attribute("#app", "inert") is not None  # stale values are not usable
    assert page.is_visible("#trame-jupyter-status")
    app.set_state(value="changed while down")

    app.thread.start(app.server, port=port)
    if secret_from == "session-endpoint":
        assert app.server.secret != first_secret  # a new secret, fetched again from the session endpoint
    wait_status(page, "live", timeout=15_000)
    wait_text(page, "#value", "changed while down")
    assert page.get_attribute("#app", "inert") is None
    page.fill("#typed", "after restart")
    app.wait_for(lambda: app.server.state.typed == "after restart", what="a write after the resync")


def test_a_server_gone_for_good_shows_stopped(serve, page):
    app = serve(_counter_app, session_endpoint=True)
    page.goto(app.bare_url)
    wait_status(page, "live")
    app.session["gone"] = True  # what the Jupyter proxy answers once the server is unregistered
    app.thread.run_coroutine(app.server.protocol.endpoint.close_all())
    wait_status(page, "stopped")
    assert "stopped" in page.inner_text("#trame-jupyter-status")
    assert page.inner_text("#value") == "before"  # the last view stays, dimmed: never a blank frame


def test_a_page_without_credentials_says_so(serve, page):
    app = serve(_counter_app)
    page.goto(app.bare_url)  # the direct server answers 404 on the session endpoint
    wait_status(page, "stopped")
    assert "credentials" in page.inner_text("#trame-jupyter-status")
