from trame_jupyter.core.controller import Controller, ControllerFunction, FunctionNotImplementedError

__all__ = ["Controller", "ControllerFunction", "FunctionNotImplementedError"]
