"""Jupyter integration, kernel side: display formatters, registration with the proxy, the comm target,
the re-run rule, the ipywidgets bridge and ``diagnose()``.

``activate()`` attaches it to the core (the package root calls it when imported inside a kernel): the
kernel becomes the host of the process registry, and servers, layouts and views display as live views.
The core never imports this package.
"""

from __future__ import annotations

from ...server.registry import registry
from . import environment


def activate() -> bool:
    """Attach the notebook support to the running IPython kernel (idempotent); False outside a kernel."""
    shell = environment.shell()
    if shell is None:
        return False
    from . import comm_target, formatters
    from .host import KernelHost

    host = registry.host
    if isinstance(host, KernelHost) and host.shell is shell:
        return True
    host = KernelHost(shell)
    registry.attach_host(host)
    formatters.register(shell, host)
    comm_target.register(shell, host)
    return True


__all__ = ["activate"]
