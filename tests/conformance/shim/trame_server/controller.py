from trame_jupyter.controller import Controller, ControllerFunction, FunctionNotImplementedError

__all__ = ["Controller", "ControllerFunction", "FunctionNotImplementedError"]
