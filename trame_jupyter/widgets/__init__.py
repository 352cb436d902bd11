"""Widgets: ``html`` (every HTML element) and ``client`` (the browser client's built-in components).

Public names of ``trame_jupyter.core.widgets``, as trame's ``trame.widgets`` are of trame-client's.
"""

from . import client, html

__all__ = ["client", "html"]
