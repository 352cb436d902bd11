"""``server.http_headers``: extra headers of every HTTP response of a server (trame's ``HttpHeader`` API).

``shared_array_buffer = True`` adds the headers a page needs for ``SharedArrayBuffer`` (cross-origin
isolation). Headers apply from the next start of the server.
"""

from __future__ import annotations

#: What cross-origin isolation takes (and what trame sets with it).
SHARED_ARRAY_BUFFER_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Access-Control-Allow-Origin": "*",
}


class HttpHeaders:
    """Header name → value, plus presets."""

    def __init__(self) -> None:
        self._headers: dict[str, str] = {}
        self._shared_array_buffer = False

    @property
    def shared_array_buffer(self) -> bool:
        return self._shared_array_buffer

    @shared_array_buffer.setter
    def shared_array_buffer(self, enabled: bool) -> None:
        self._shared_array_buffer = bool(enabled)
        for name, value in SHARED_ARRAY_BUFFER_HEADERS.items():
            if enabled:
                self.set_header(name, value)
            else:
                self.remove_header(name)

    def set_header(self, name: str, value: str) -> None:
        if any(c in f"{name}{value}" for c in "\r\n"):
            raise ValueError("an HTTP header name or value cannot hold a line break")
        self._headers[name] = value

    def remove_header(self, name: str) -> None:
        self._headers.pop(name, None)

    def get_header(self, name: str) -> str | None:
        return self._headers.get(name)

    @property
    def headers(self) -> dict[str, str]:
        return self._headers
