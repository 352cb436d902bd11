"""A server living in a Jupyter kernel: registered with the proxy while it runs, replaced cleanly when
the cell that made it runs again, and unregistered when it stops or the kernel exits.

The kernel's servers are kept in ``_attached`` (server id → server, weakly): the kernel-side half of
the registry of DESIGN.md decision 3. Nothing here blocks the kernel's event loop.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import weakref
from typing import TYPE_CHECKING

from ..registry import Entry, Registry
from . import environment

if TYPE_CHECKING:
    from ..server import Server

logger = logging.getLogger(__name__)

_attached: weakref.WeakValueDictionary[str, Server] = weakref.WeakValueDictionary()
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def server_id_for(name: str, kernel_id: str | None = None, pid: int | None = None) -> str:
    """A stable id per (kernel, server name): a re-run replaces, other kernels never collide."""
    owner = (kernel_id or "")[:8] or f"p{pid or os.getpid()}"
    slug = _UNSAFE.sub("-", name).strip("-")[:40] or "server"
    if slug != name:  # keep distinct names distinct after slugging
        slug = f"{slug[:31]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return f"{owner}-{slug}"


class KernelAttachment:
    """Registers one root server with the proxy at every start, and removes it at stop or exit."""

    def __init__(self, server: Server, registry: Registry | None = None) -> None:
        self._server = weakref.ref(server)
        self.registry = registry or Registry()
        self.kernel_id = environment.kernel_id()
        self.server_id = server_id_for(server.name, self.kernel_id)
        self.entry: Entry | None = None
        self.origin_cell = environment.current_cell()

    def started(self, server: Server) -> None:
        previous = _attached.get(self.server_id)
        if previous is not None and previous is not server and previous.running:
            logger.info("Replacing server %r (the cell that created it ran again)", server.name)
            from .displays import DisplayTracker

            DisplayTracker.of(previous).replaced = True  # its views follow the new server
            previous.stop()
        _attached[self.server_id] = server
        self.entry = Entry(
            server_id=self.server_id,
            name=server.name,
            port=server.port,
            secret=server.secret or "",
            pid=os.getpid(),
            kernel_id=self.kernel_id,
            host=server.host or "127.0.0.1",
            ws_max_msg_size=int(server.options["ws_max_msg_size"]),
        )
        try:
            self.registry.write(self.entry)
        except OSError as error:
            logger.error("Could not register server %r with the Jupyter proxy: %s", server.name, error)
        atexit.register(self.unregister)

    def stopped(self, server: Server) -> None:
        self.unregister()
        atexit.unregister(self.unregister)

    def unregister(self) -> None:
        if self.entry is not None:
            try:
                self.registry.remove(self.entry)
            except OSError as error:
                logger.warning("Could not remove the registration of %r: %s", self.entry.name, error)
            self.entry = None


def attach(server: Server) -> KernelAttachment:
    """Make a root server kernel-aware (idempotent)."""
    root = server.root_server
    attachment = root.runtime_listener(KernelAttachment)
    if attachment is None:
        attachment = KernelAttachment(root)
        root.add_runtime_listener(attachment)
        if root.running and root.secret:
            attachment.started(root)
    return attachment


def is_rerun_of_origin(server: Server) -> bool:
    """True when the cell executing now is a new run of the cell that created ``server``."""
    attachment = server.runtime_listener(KernelAttachment)
    now = environment.current_cell()
    if attachment is None or attachment.origin_cell is None or now is None:
        return False
    origin_cell, origin_execution = attachment.origin_cell
    return now[0] == origin_cell and now[1] != origin_execution
