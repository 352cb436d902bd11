"""Start options: explicit ``start()`` argument > command-line flag > environment > default."""

from __future__ import annotations

import pytest

from trame_jupyter.server import cli


def resolve(flags: list[str], **kwargs):
    arguments = {
        "exec_mode": "main",
        "port": None,
        "host": None,
        "timeout": None,
        "backend": None,
        "open_browser": None,
        "show_connection_info": True,
        "disable_logging": False,
        "thread": False,
        **kwargs,
    }
    return cli.resolve_start_options(cli.build_parser().parse_args(flags), **arguments)


def test_defaults_of_a_script_and_of_a_task():
    script = resolve([])
    assert (script.port, script.host, script.timeout) == (cli.DEFAULT_MAIN_PORT, "localhost", cli.DEFAULT_MAIN_TIMEOUT)
    assert script.handle_signals and script.open_browser and script.ws_compress
    task = resolve([], exec_mode="task")
    assert (task.port, task.timeout) == (0, 0)
    assert not task.handle_signals and not task.open_browser and not task.show_connection_info


def test_an_argument_beats_a_flag_which_beats_the_environment(monkeypatch):
    monkeypatch.setenv("TRAME_DEFAULT_HOST", "0.0.0.0")
    assert resolve([]).host == "0.0.0.0"
    assert resolve([], host="127.0.0.1").host == "127.0.0.1"
    assert resolve(["--port", "9000"]).port == 9000
    assert resolve(["--port", "9000"], port=9001).port == 9001
    assert resolve(["--timeout", "5"]).timeout == 5
    assert resolve(["--timeout", "5"], timeout=7).timeout == 7


def test_an_explicit_host_flag_beats_the_host_argument():
    """Kept from trame: a deployment can widen what an app listens on without editing it."""
    assert resolve(["--host", "0.0.0.0"], host="127.0.0.1").host == "0.0.0.0"


def test_the_server_flag_or_environment_keeps_the_browser_closed(monkeypatch):
    assert not resolve(["--server"]).open_browser
    monkeypatch.setenv("TRAME_SERVER", "1")
    assert not resolve([]).open_browser
    assert not resolve([], open_browser=True, exec_mode="task").open_browser  # only a script opens one


def test_secrets_from_flags_files_or_random(tmp_path):
    assert resolve(["--authKey", "k"]).secret == "k"
    key = tmp_path / "key"
    key.write_text("from-file\n")
    assert resolve(["--authKeyFile", str(key)]).secret == "from-file"
    first, second = resolve([]).secret, resolve([]).secret
    assert first != second and len(first) >= 32
    with pytest.raises(cli.StartError, match="public"):
        resolve(["--authKey", cli.PUBLIC_DEFAULT_SECRET])
    (tmp_path / "empty").write_text("")
    with pytest.raises(cli.StartError, match="empty"):
        resolve(["--authKeyFile", str(tmp_path / "empty")])


def test_trame_args_environment_is_parsed_and_argv_only_for_scripts(monkeypatch):
    monkeypatch.setattr("sys.argv", ["app.py", "--port", "1234"])
    monkeypatch.setenv("TRAME_ARGS", "--timeout 3")
    assert cli.command_line_args(read_argv=True) == ["--port", "1234", "--timeout", "3"]
    assert cli.command_line_args(read_argv=False) == ["--timeout", "3"]
    monkeypatch.setattr("sys.argv", ["app.py", "--trame-args", "--server --port 5"])
    assert cli.command_line_args(read_argv=True) == ["--server", "--port", "5"]  # the flag replaces TRAME_ARGS


def test_bad_values_name_the_fix():
    with pytest.raises(cli.StartError, match="exec_mode"):
        resolve([], exec_mode="fast")
    with pytest.raises(cli.StartError, match="aiohttp"):
        resolve([], backend="tornado")
    with pytest.raises(cli.StartError, match="prefix=/dir"):
        resolve(["--fs-endpoints", "nodir"])
    endpoints = resolve(["--fs-endpoints", "a=/tmp|b/c=/var"]).fs_endpoints
    assert {k: str(v) for k, v in endpoints.items()} == {"a": "/tmp", "b/c": "/var"}
