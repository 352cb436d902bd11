"""The browser client's built-in components (``Style``, ``Script``, ``ServerTemplate``, ``Getter`` …).

The public name of ``trame_jupyter.core.widgets.client``.
"""

from ..core.widgets.client import *  # noqa: F403 (this module is that one's public name)
from ..core.widgets.client import __all__  # noqa: F401 (the same names, re-exported)
