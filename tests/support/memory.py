"""A process's peak resident memory (Linux), to check that a flood or a large transfer stays bounded."""

from __future__ import annotations

from pathlib import Path


def peak_memory_reset(pid: int) -> None:
    """Reset a process's peak resident memory (VmHWM) to its current size (Linux: clear_refs 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")


def peak_memory(pid: int) -> int:
    """The peak resident memory of ``pid`` (bytes) since it started or since ``peak_memory_reset``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")
