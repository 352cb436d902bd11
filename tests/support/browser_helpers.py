"""Helpers shared by the browser tests (page waits, tiny PNG images)."""

from __future__ import annotations

import struct
import zlib
from typing import Any


def wait_status(page: Any, status: str, timeout: float = 10_000) -> None:
    """Wait until the page's connection status element says ``status``."""
    page.wait_for_selector(f'#trame-jupyter-status[data-status="{status}"]', state="attached", timeout=timeout)


def wait_text(page: Any, selector: str, text: str, timeout: float = 10_000) -> None:
    """Wait until ``selector`` exists and its trimmed text equals ``text``."""
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.textContent.trim() === text",
        arg=[selector, text],
        timeout=timeout,
    )


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid RGB PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
