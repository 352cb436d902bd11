"""``runner.StaticFiles``: one resolver for the HTTP routes and for fetches over a kernel comm, so both answer
every path alike (served files, traversal, absolute paths, symlinks out, directories, size caps)."""

from __future__ import annotations

import logging
import os

import aiohttp
import pytest
from support.aio import running

from trame_jupyter import Server
from trame_jupyter.server.runner import StaticFileError, StaticFiles

PATHS = {
    "index.html": 200,
    "__fx/hello.js": 200,
    "__fx/deep/er.js": 200,  # the longer prefix wins
    "__fx/with%20space.css": 200,
    "__fx/hello.js?v=2": 200,
    "__fx/nope.js": 404,
    "__fx/%2e%2e/secret.txt": 404,
    "__fx/%2E%2E%2Fsecret.txt": 404,
    "__fx/%2Fetc%2Fpasswd": 404,
    "__fx/out.txt": 404,  # a symlink leading out of the served directory
    "__fx/sub": 403,
    "%2e%2e/%2e%2e/etc/passwd": 404,
}


@pytest.fixture
def tree(tmp_path):
    www, assets, deep = tmp_path / "www", tmp_path / "assets", tmp_path / "deep"
    for directory in (www, assets / "sub", deep):
        directory.mkdir(parents=True)
    (www / "index.html").write_text("<p>page</p>")
    (assets / "hello.js").write_text("hello")
    (assets / "with space.css").write_text("a {}")
    (deep / "er.js").write_text("deeper")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", assets / "out.txt")
    return tmp_path


async def test_http_and_fetch_answer_every_path_alike(tree):
    server = Server("static-files")
    server.enable_module(
        {"www": str(tree / "www"), "serve": {"__fx": str(tree / "assets"), "__fx/deep": str(tree / "deep")}}
    )
    async with running(server), aiohttp.ClientSession() as http:
        files = server.static_files
        assert files is not None
        for path, status in PATHS.items():
            async with http.get(f"http://127.0.0.1:{server.port}/{path}") as response:
                assert response.status == status, (path, "http")
            try:
                files.read(path, 1_000_000)
                fetched = 200
            except StaticFileError as error:
                fetched = error.status
            assert fetched == status, (path, "fetch")
    assert server.static_files is None  # stopped: nothing is served


def test_read_caps_the_size_and_names_the_type(tree):
    files = StaticFiles(tree / "www", {"__fx": tree / "assets"})
    assert files.read("__fx/hello.js", 5) == (b"hello", "text/javascript; charset=utf-8")
    with pytest.raises(StaticFileError) as error:
        files.read("__fx/hello.js", 4)
    assert error.value.status == 413
    for absolute in ("/etc/passwd", "//etc/passwd"):
        with pytest.raises(StaticFileError):
            files.read(absolute, 100)
    with pytest.raises(StaticFileError):
        files.read("__fx/hello.js%00.png", 100)


def test_symlinks_out_are_served_only_when_followed(tree):
    followed = StaticFiles(None, {"__fx": tree / "assets"}, follow_symlinks=True)
    assert followed.read("__fx/out.txt", 100)[0] == b"secret"
    with pytest.raises(StaticFileError):
        followed.read("__fx/../secret.txt", 100)  # the path itself still may not climb out


LONG = "a" * 300  # one component over the file system's 255-byte limit: ``OSError: File name too long``
TOO_LONG = (LONG, f"{LONG}/x.js", f"__fx/{LONG}", f"__fx/{LONG}/x.js", f"__fx/sub/{LONG}", f"__fx/%61{LONG}")


async def test_a_path_the_file_system_refuses_is_not_found_over_http(tree, caplog):
    server = Server("static-too-long")
    server.enable_module({"www": str(tree / "www"), "serve": {"__fx": str(tree / "assets")}})
    async with running(server), aiohttp.ClientSession() as http:
        for path in TOO_LONG:
            async with http.get(f"http://127.0.0.1:{server.port}/{path}") as response:
                assert response.status == 404, (path[-20:], await response.text())
        async with http.get(f"http://127.0.0.1:{server.port}/__fx/hello.js") as response:
            assert response.status == 200  # and the server still serves
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback logged


@pytest.mark.parametrize("follow_symlinks", [False, True])
def test_a_path_the_file_system_refuses_is_not_found_when_read(tree, follow_symlinks):
    """What a comm's fetch calls: ``StaticFileError(404)``, never an ``OSError``."""
    files = StaticFiles(tree / "www", {"__fx": tree / "assets"}, follow_symlinks=follow_symlinks)
    for path in TOO_LONG:
        with pytest.raises(StaticFileError) as error:
            files.read(path, 1_000_000)
        assert error.value.status == 404, path[-20:]
