"""Widgets: ``html`` (every HTML element) and ``client`` (the browser client's built-in components)."""

from . import client, html

__all__ = ["client", "html"]
