"""The extension as installed: one version, scoped styles, listed by Jupyter, and JupyterLab's own
``browser_check`` passing with it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.chromium import CHROMIUM
from support.jupyter_harness import free_port

import trame_jupyter

from support.lab_harness import EXTENSION_NAME, ROOT, installed_extension

LABEXTENSION = ROOT / "labextension"


def jupyter(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120, check=False
    )
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def test_one_version() -> None:
    """``labextension/package.json`` repeats ``trame_jupyter/_version.py`` (the build checks it too)."""
    package = json.loads((LABEXTENSION / "package.json").read_text())
    assert package["version"] == trame_jupyter.__version__
    built = ROOT / "trame_jupyter" / "labextension" / "package.json"
    if built.exists():
        assert json.loads(built.read_text())["version"] == trame_jupyter.__version__


def test_install_json() -> None:
    data = json.loads((LABEXTENSION / "install.json").read_text())
    assert data["packageManager"] == "python"
    assert data["packageName"] == "trame-jupyter"
    assert "uninstall" in data["uninstallInstructions"].lower()


def test_styles_are_scoped() -> None:
    """Every rule targets our own classes: no rule on JupyterLab's elements or other outputs
    (a global ``.jp-OutputArea-child`` rule once broke every other output for a peer)."""
    css = re.sub(r"/\*.*?\*/", "", (LABEXTENSION / "style" / "base.css").read_text(), flags=re.S)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors
    for selector in selectors:
        assert selector.startswith(".trame-jupyter-"), selector
        assert "jp-" not in selector, selector


@pytest.mark.jupyter
def test_listed_by_jupyter() -> None:
    if installed_extension() is None:
        pytest.fail("the JupyterLab extension is not installed (see tests/labextension/conftest.py)")
    labextensions = jupyter("labextension", "list")
    assert re.search(rf"{EXTENSION_NAME} v{re.escape(trame_jupyter.__version__)} enabled\s+OK", labextensions), (
        labextensions
    )
    server_extensions = jupyter("server", "extension", "list")
    assert re.search(r"trame_jupyter enabled", server_extensions), server_extensions
    assert re.search(rf"trame_jupyter {re.escape(trame_jupyter.__version__)} OK", server_extensions)


@pytest.mark.jupyter
@pytest.mark.browser
def test_jupyterlab_browser_check(tmp_path: Path) -> None:
    """``python -m jupyterlab.browser_check`` with our extensions loaded, in Debian's Chromium.

    browser_check has no option for a browser executable: it runs ``npx playwright install chromium``
    (a download) in ``<app dir>/browser_test``, then ``node browser-test.js``, which launches
    Playwright's own Chromium. Without changing it we give it, through its environment:
    ``JUPYTERLAB_DIR`` → a temp ``browser_test`` whose ``playwright`` is the Playwright of this venv
    (the Python package's Node driver), and ``PLAYWRIGHT_BROWSERS_PATH`` → browsers "installed" as
    /usr/bin/chromium, so the install step finds them and downloads nothing. ``--app-dir`` keeps
    JupyterLab's real application directory.
    """
    if installed_extension() is None:
        pytest.fail("the JupyterLab extension is not installed (see tests/labextension/conftest.py)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (scripts/install.sh does)")
    from jupyterlab.commands import get_app_dir
    from playwright._impl._driver import compute_driver_executable

    real_app_dir = get_app_dir()
    driver_package = Path(compute_driver_executable()[1]).parent
    browsers = json.loads((driver_package / "browsers.json").read_text())["browsers"]

    app_dir = tmp_path / "app"
    modules = app_dir / "browser_test" / "node_modules"
    (modules / ".bin").mkdir(parents=True)
    (app_dir / "browser_test" / "package.json").write_text('{"name": "browser_test", "private": true}')
    (modules / "playwright").symlink_to(driver_package, target_is_directory=True)
    (modules / ".bin" / "playwright").symlink_to(Path("..") / "playwright" / "cli.js")

    browsers_path = tmp_path / "browsers"
    chrome = browsers_path / "chrome"
    browsers_path.mkdir()
    chrome.write_text(f'#!/bin/sh\nexec {CHROMIUM} --disable-gpu --no-first-run --disable-sync "$@"\n')
    chrome.chmod(0o755)
    executables = {
        "chromium": "chrome-linux64/chrome",
        "chromium-headless-shell": "chrome-headless-shell-linux64/chrome-headless-shell",
        "ffmpeg": "ffmpeg-linux",
    }
    for browser in browsers:
        if browser["name"] in executables:
            folder = browsers_path / f"{browser['name'].replace('-', '_')}-{browser['revision']}"
            executable = folder / executables[browser["name"]]
            executable.parent.mkdir(parents=True, exist_ok=True)
            executable.symlink_to(chrome)
            (folder / "INSTALLATION_COMPLETE").touch()

    runtime = tmp_path / "runtime"
    env = {
        **os.environ,
        "JUPYTERLAB_DIR": str(app_dir),
        "PLAYWRIGHT_BROWSERS_PATH": str(browsers_path),
        "PLAYWRIGHT_SKIP_VALIDATE_HOST_REQUIREMENTS": "1",
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyterlab.browser_check",
            "--allow-root",
            f"--port={free_port()}",
            f"--app-dir={real_app_dir}",
            f"--ServerApp.root_dir={tmp_path}",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Browser test complete" in output, output[-6000:]
    assert "trame_jupyter | extension was successfully loaded" in output
