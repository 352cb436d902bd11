"""Optional packages of the trame app layer: a clear error naming the package and the fix."""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA = 'pip install "trame-jupyter[trame]"'


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` (part of trame-client / trame-common) or explain how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        package = module.split(".")[0].replace("_", "-")
        raise ImportError(f"{what} needs the package {package}, which is not installed: {EXTRA}") from error
