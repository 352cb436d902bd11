"""Layouts: ``DivLayout`` and ``HtmlLayout`` bind the elements built inside ``with`` to a server's template.

The public name of ``trame_jupyter.server.layouts`` (trame's ``trame.ui.html``).
"""

from ..server.layouts import AbstractLayout, DivLayout, HtmlLayout, VirtualNode, VirtualNodeManager

__all__ = ["AbstractLayout", "DivLayout", "HtmlLayout", "VirtualNode", "VirtualNodeManager"]
