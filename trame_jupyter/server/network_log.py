"""The ``log_network`` option: one JSON line per message crossing the wire, for debugging an app."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from ..core import wire


def _summarize(value: Any, depth: int = 0) -> Any:
    """A JSON-friendly view: bytes become their size, deep structures are cut."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if depth > 6:
        return "…"
    if isinstance(value, dict):
        return {str(k): _summarize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_summarize(v, depth + 1) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


class NetworkLog:
    """Appends JSON lines to a file; created only when the option names a path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")

    @classmethod
    def open(cls, option: Any) -> NetworkLog | None:
        if not option or option is True:
            return None
        return cls(Path(option))

    def record(self, direction: str, client: str, what: str, payload: Any) -> None:
        if isinstance(payload, bytes):
            payload = wire.unpack(payload)
        line = json.dumps(
            {"t": round(time.time(), 6), "dir": direction, "client": client, "what": what, "data": _summarize(payload)}
        )
        with self._lock, self.path.open("a") as stream:
            stream.write(line + "\n")
