"""Where to find trame for side-by-side figures: a separate virtualenv, never the project's.

``python bench/trame_env.py`` creates ``bench/.venv-trame`` with ``pip install trame`` (PyPI must be
reachable). Benchmarks call ``trame_python()`` and skip the trame column when it returns None.
``TRAME_PYTHON=/path/to/python`` points at another interpreter that has trame installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).parent / ".venv-trame"


def trame_python() -> Path | None:
    """An interpreter that can ``import trame``, or None."""
    candidates = [os.environ.get("TRAME_PYTHON"), str(VENV / "bin" / "python")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if path.exists() and subprocess.run([str(path), "-c", "import trame.app"], capture_output=True).returncode == 0:
            return path
    return None


def _same_version(package: str) -> str:
    """``package==<version>`` of the version this interpreter has, or ``package`` when it has none."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{package}=={version(package)}"
    except PackageNotFoundError:
        return package


def create() -> Path:
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    # jupyter-server-proxy: the peer's way into Jupyter, for bench/browser_roundtrip.py --jupyter.
    # jupyterhub: this venv's jupyterhub-singleuser, trame's server behind the hub of bench/hub_bench.py
    # (the hub's own version when the running interpreter has one: hub and single-user server must agree).
    # trame-vtk and vtk (offscreen wheel): the remote 3D view of bench/vtk_bench.py.
    packages = ["trame", "trame-vuetify", "trame-vtk", "vtk", "numpy", "jupyter_server", "jupyter-server-proxy"]
    packages.append(_same_version("jupyterhub"))
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *packages], check=True)
    return VENV / "bin" / "python"


if __name__ == "__main__":
    print(create())
