"""A stand-in for the ``trame_server`` package that maps its public names to trame_jupyter's classes, so
trame-server's own tests run against trame_jupyter (``scripts/trame-server-conformance.sh``)."""

from trame_jupyter import Server

__all__ = ["Server"]
