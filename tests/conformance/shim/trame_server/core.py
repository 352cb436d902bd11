from trame_jupyter.core.controller import Controller
from trame_jupyter.core.state import State
from trame_jupyter.core.translator import Translator
from trame_jupyter.server.server import Server


def set_default_client_type(value: str) -> None:
    """trame_jupyter ships one client type, vue3: there is nothing else to default to."""
    if value != "vue3":
        raise ValueError(f"client_type {value!r} is not available: trame_jupyter ships a Vue 3 client")


__all__ = ["Controller", "Server", "State", "Translator", "set_default_client_type"]
