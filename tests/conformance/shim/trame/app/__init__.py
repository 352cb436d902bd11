"""``trame.app`` for trame-server's tests: trame_jupyter's app layer under trame's name."""

from trame_jupyter.app import TrameApp, TrameComponent, asynchronous, get_server

__all__ = ["TrameApp", "TrameComponent", "asynchronous", "get_server"]
