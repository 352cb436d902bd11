"""Every standard HTML element as a widget class (``html.Div``, ``html.Input`` …).

The public name of ``trame_jupyter.core.widgets.html``.
"""

from ..core.widgets.html import *  # noqa: F403 (this module is that one's public name)
from ..core.widgets.html import __all__  # noqa: F401 (the same names, re-exported)
