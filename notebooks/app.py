"""The app of ``08-standalone-script.ipynb`` as a script.

    python app.py --port 0 --server

serves it on a free port and prints the URL to open. In a notebook: ``from app import build``, then
``display(build())``.
"""

from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html


def build(name="standalone"):
    server = get_server(name)
    state = server.state
    state.trame__title = "Standalone app"

    @state.change("resolution")
    def on_resolution(resolution, **_):
        state.label = f"resolution {resolution}"

    with DivLayout(server, style="font-family: sans-serif; padding: 1em"):
        html.Input(type="range", min=3, max=60, v_model_number=("resolution", 6))
        html.Span("{{ label }}", style="margin-left: .5em")
    return server


if __name__ == "__main__":
    build().start()
