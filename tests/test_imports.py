"""The public surface: what users import exists, and importing does no work."""

import json
import subprocess
import sys
from pathlib import Path

import trame_jupyter
from trame_jupyter import ui, widgets


def test_public_names():
    for name in trame_jupyter.__all__:
        assert hasattr(trame_jupyter, name), name
    for module in (ui, widgets, widgets.client):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    from trame_jupyter.widgets import html

    for tag in ("Div", "Span", "Input", "Button", "Img", "Select", "Option", "Textarea", "H1", "Ul", "Li", "Canvas"):
        assert issubclass(getattr(html, tag), html.HtmlElement)


def test_the_labextension_carries_the_python_version():
    """One version, trame_jupyter/_version.py: the extension's sources and its built copy repeat it."""
    root = Path(trame_jupyter.__file__).parent
    source = json.loads((root.parent / "labextension" / "package.json").read_text())
    built = json.loads((root / "labextension" / "package.json").read_text())
    assert source["version"] == built["version"] == trame_jupyter.__version__


def test_star_import_gives_exactly_the_public_names():
    namespace: dict[str, object] = {}
    exec("from trame_jupyter import *", namespace)
    assert sorted(k for k in namespace if not k.startswith("__")) == sorted(
        k for k in trame_jupyter.__all__ if not k.startswith("__")
    )


def test_import_has_no_side_effects_and_stays_light():
    code = (
        "import sys, trame_jupyter; print('IPython' in sys.modules, 'ipykernel' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
