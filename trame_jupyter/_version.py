"""The single source of the package version (pyproject reads it; the labextension is checked against it)."""

__version__ = "0.1.0"
