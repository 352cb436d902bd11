"""The smallest useful app: a slider bound to Python, a label a Python callback computes, a reset button.

Run it as a script (it prints the URL to open, secret included)::

    python -m trame_jupyter.examples.hello --port 0

or in a notebook: ``display(build())``.
"""

from __future__ import annotations

from trame_jupyter import Server, get_server
from trame_jupyter.core.widgets import html
from trame_jupyter.server.layouts import DivLayout


def build(name: str | Server = "hello") -> Server:
    server = get_server(name)
    state = server.state
    state.trame__title = "Hello trame_jupyter"

    @state.change("resolution")
    def describe(resolution: int, **_: object) -> None:
        state.label = f"resolution {resolution}"

    def reset() -> None:
        state.resolution = 6

    with DivLayout(server, style="font-family: sans-serif; padding: 1rem;"):
        html.H3("Hello from Python")
        html.Input(type="range", min=3, max=60, v_model_number=("resolution", 6), id="resolution")
        html.Div("{{ label }}", id="label")
        html.Button("Reset", click=reset, id="reset")
    return server


def main() -> None:
    build().start()


if __name__ == "__main__":
    main()
