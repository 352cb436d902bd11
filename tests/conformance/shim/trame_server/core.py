from trame_jupyter.controller import Controller
from trame_jupyter.server import Server
from trame_jupyter.state import State
from trame_jupyter.translator import Translator


def set_default_client_type(value: str) -> None:
    """trame_jupyter ships one client type, vue3: there is nothing else to default to."""
    if value != "vue3":
        raise ValueError(f"client_type {value!r} is not available: trame_jupyter ships a Vue 3 client")


__all__ = ["Controller", "Server", "State", "Translator", "set_default_client_type"]
