from trame_jupyter.core.state import State

__all__ = ["State"]
