from trame_jupyter.state import State

__all__ = ["State"]
