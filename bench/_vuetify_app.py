"""The Vuetify benchmark's app, served by trame_jupyter or by trame: ``python bench/_vuetify_app.py ours|trame``.

The same source on both: trame's ``SinglePageLayout`` with a ``VBtn``, a ``VSlider`` bound to ``value``
and a ``VChip`` showing ``label``, which Python's ``@change("value")`` sets. Only the ``get_server``
import differs (``trame.app`` or ``trame_jupyter.app``), as for any ported trame app.
Prints ``READY <url>`` once the server accepts connections, then serves until killed.
"""

from __future__ import annotations

from _common import serve_app

APP = """
from trame.ui.vuetify3 import SinglePageLayout
from trame.widgets import vuetify3

server = get_server("vuetify-bench", client_type="vue3")
server.state.update(value=0, label="v0", clicks=0)


@server.state.change("value")
def show(value, **_):
    server.state.label = f"v{value}"


with SinglePageLayout(server) as layout:
    layout.title.set_text("Vuetify benchmark")
    with layout.content:
        with vuetify3.VContainer():
            vuetify3.VBtn("Click", id="bench-btn", click="clicks += 1")
            vuetify3.VSlider(v_model=("value",), min=0, max=1_000_000, step=1, id="bench-slider")
            vuetify3.VChip("{{ label }}", id="bench-chip")
"""


if __name__ == "__main__":
    serve_app(APP)
