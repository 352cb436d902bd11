"""Server options are checked at construction and frozen; start() accepts only what it uses."""

from __future__ import annotations

import pytest

from trame_jupyter import Server
from trame_jupyter.server.options import ServerOptions, UnknownOptionError


def test_unknown_server_options_list_the_known_ones():
    with pytest.raises(UnknownOptionError) as info:
        Server("o1", ws_max_msg_sise=10)
    message = str(info.value)
    assert "'ws_max_msg_sise'" in message
    for name in ServerOptions.names():
        assert name in message


def test_options_are_typed_frozen_and_read_like_trames_dict():
    server = Server("o2", ws_max_msg_size="2048", ws_heart_beat=0)
    assert server.options.ws_max_msg_size == 2048 and server.options["ws_heart_beat"] == 0
    assert dict(server.options) == {
        "log_network": False,
        "ws_max_msg_size": 2048,
        "ws_heart_beat": 0,
        "desktop_debug": False,
    }
    with pytest.raises(TypeError):
        server.options["ws_max_msg_size"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        server.options.ws_max_msg_size = 1  # type: ignore[misc]
    assert server.create_child_server(prefix="c_").options is server.options


def test_trames_environment_variables_give_the_defaults(monkeypatch):
    monkeypatch.setenv("TRAME_WS_MAX_MSG_SIZE", "4096")
    monkeypatch.setenv("TRAME_DESKTOP_DEBUG", "0")
    options = Server("o3").options
    assert options.ws_max_msg_size == 4096 and options.desktop_debug is False
    assert Server("o4", ws_max_msg_size=10).options.ws_max_msg_size == 10  # an argument wins


def test_invalid_values_are_refused_with_their_name():
    with pytest.raises(ValueError, match="ws_max_msg_size"):
        Server("o5", ws_max_msg_size=0)
    with pytest.raises(ValueError, match="invalid server option"):
        Server("o6", ws_heart_beat="often")


async def test_start_refuses_unknown_keyword_arguments():
    server = Server("o7")
    with pytest.raises(UnknownOptionError, match="browser_args"):
        server.start(exec_mode="task", port=0, websocket_path="/x")
    assert not server.running and server.port == 0  # nothing was bound
