"""The options a server is constructed with, checked once and frozen.

``Server(name, **options)`` accepts trame-server's option names; anything else is refused with the list
of known names (a typo would otherwise be ignored silently). Defaults come from trame's environment
variables when set (``TRAME_WS_MAX_MSG_SIZE`` …), else from the values below.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

_ENVIRONMENT = {
    "log_network": "TRAME_LOG_NETWORK",
    "ws_max_msg_size": "TRAME_WS_MAX_MSG_SIZE",
    "ws_heart_beat": "TRAME_WS_HEART_BEAT",
    "desktop_debug": "TRAME_DESKTOP_DEBUG",
}


class UnknownOptionError(TypeError):
    """An option name nobody reads; the message lists the known ones."""


def reject_unknown(given: Mapping[str, Any], known: list[str] | tuple[str, ...], where: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UnknownOptionError(
            f"{where} got unknown option(s) {', '.join(map(repr, unknown))}; known options: {', '.join(known)}"
        )


@dataclass(frozen=True)
class ServerOptions(Mapping[str, Any]):
    """Options of a server (shared with its child servers). Read as attributes or, as in trame, as a
    mapping: ``server.options["ws_max_msg_size"]``."""

    #: Path of a file where every message crossing the wire is logged (False: no log).
    log_network: str | bool = False
    #: Largest message (bytes) a client may send once authenticated.
    ws_max_msg_size: int = 10_000_000
    #: Seconds between websocket pings (0: none).
    ws_heart_beat: float = 30
    #: Open the developer tools of a desktop window.
    desktop_debug: bool = False

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_kwargs(cls, options: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> ServerOptions:
        """Check and convert ``Server(**options)``; unset options take trame's environment variables."""
        reject_unknown(options, cls.names(), "Server()")
        values: dict[str, Any] = {}
        for name in cls.names():
            if name in options:
                values[name] = options[name]
            elif environ.get(_ENVIRONMENT[name]):
                values[name] = environ[_ENVIRONMENT[name]]
        try:
            return cls(
                log_network=values.get("log_network") or False,
                ws_max_msg_size=int(values.get("ws_max_msg_size", cls.ws_max_msg_size)),
                ws_heart_beat=float(values.get("ws_heart_beat", cls.ws_heart_beat) or 0),
                desktop_debug=_flag(values.get("desktop_debug", False)),
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"invalid server option: {error}") from None

    def __post_init__(self) -> None:
        if self.ws_max_msg_size <= 0:
            raise ValueError(f"ws_max_msg_size must be a positive number of bytes, not {self.ws_max_msg_size}")
        if self.ws_heart_beat < 0:
            raise ValueError(f"ws_heart_beat must be seconds (0 for none), not {self.ws_heart_beat}")

    # -- Mapping, for code written against trame's ``server.options`` dict ----------------------------

    def __getitem__(self, name: str) -> Any:
        if name not in self.names():
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)
