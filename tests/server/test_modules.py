"""enable_module: resources, state, served directories, web root; each module once."""

import types

import aiohttp
import pytest
from support.aio import running

from trame_jupyter import Server
from trame_jupyter.server.modules import merge_vue_use


async def test_module_contributions_and_serving(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "lib.js").write_text("window.LIB = 1;")
    calls = []
    module = types.SimpleNamespace(
        setup=lambda server, **kw: calls.append(kw),
        scripts=["__mod/lib.js"],
        styles=["__mod/style.css"],
        module_scripts=["__mod/esm.js"],
        vue_use=["Lib", ("Other", {"a": {"x": 1}})],
        state={"mod_ready": True},
        serve={"__mod": str(assets)},
    )
    server = Server("m1")
    assert server.enable_module(module, flavour="x") is True
    assert server.enable_module(module) is False  # already loaded
    assert calls == [{"flavour": "x"}]
    assert server.enable_module({"vue_use": [("Other", {"a": {"y": 2}})], "scripts": ["x.js"]}) is True
    assert server.enable_module({"vue_use": [("Other", {"a": {"y": 2}})], "scripts": ["x.js"]}) is False
    state = server.state
    assert state.trame__scripts == ["__mod/lib.js", "x.js"]
    assert state.trame__styles == ["__mod/style.css"]
    assert state.trame__module_scripts == ["__mod/esm.js"]
    assert state.trame__vue_use == ["Lib", ["Other", {"a": {"x": 1, "y": 2}}]]
    assert state.mod_ready is True
    async with running(server), aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/__mod/lib.js") as response:
            assert response.status == 200 and await response.text() == "window.LIB = 1;"
        async with http.get(f"http://127.0.0.1:{server.port}/__mod/../../etc/passwd") as response:
            assert response.status in (403, 404)


async def test_www_replaces_the_web_root_and_root_redirects_to_index(tmp_path):
    (tmp_path / "index.html").write_text("<p>custom</p>")
    server = Server("m2")
    server.enable_module({"www": str(tmp_path)})
    async with running(server), aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/?ui=x", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"] == "index.html?ui=x"
        async with http.get(f"http://127.0.0.1:{server.port}/index.html") as response:
            assert await response.text() == "<p>custom</p>"


def test_merge_vue_use_keeps_first_seen_order():
    assert merge_vue_use(["A", ["B", {"x": 1}], "A", ["B", {"y": 2}]]) == ["A", ["B", {"x": 1, "y": 2}]]


def test_reserved_prefixes_are_refused():
    server = Server("m3")
    for prefix in ("trame-jupyter-client", "/ws", "__trame_jupyter__/x"):
        with pytest.raises(ValueError, match="belongs to the page"):
            server.enable_module({"serve": {prefix: "/tmp"}, "state": {"applied": True}})
    assert server.state.applied is None  # a refused module changed nothing
