"""The public surface: what users import exists, and importing does no work."""

import subprocess
import sys

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


def test_version_is_single_sourced():
    from trame_jupyter._version import __version__

    assert trame_jupyter.__version__ == __version__


def test_import_has_no_side_effects_and_stays_light():
    code = (
        "import sys, trame_jupyter; print('IPython' in sys.modules, 'ipykernel' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
