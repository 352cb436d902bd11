"""Fetching a server's files over a message carrier (a kernel comm, a widget's messages): no HTTP port.

A request is ``{type: "fetch", id, path}`` (``contract.COMM_MESSAGE["FETCH"]``), ``path`` as the page
would request it over HTTP, relative to the server root (``index.html``, ``__trame_vuetify/x.js?v=1``).
The answer is ``{type: "fetch-reply", id, status, mime, reason}`` with the body as its only buffer when
``status`` is 200 (no buffer otherwise). Paths resolve exactly as the HTTP routes resolve them
(``runner.StaticFiles``); files are read on a worker thread, so a big one never blocks the server's loop.

A carrier has no backpressure (a front end may ask for a thousand files at once and read none), so replies
are bounded in bytes as well as in number: a reply's bytes count from just before its file is read until the
carrier lets go of its body (a kernel comm: once the kernel's IOPub socket has sent it out), per carrier and
for the whole process; a fetch that would pass either bound is answered 503 without reading its file.

Nothing here knows the carrier: it needs a ``send(data, buffers)`` function, and whoever receives the
carrier's messages passes those for which ``is_fetch(data)`` holds to ``FetchResponder.handle``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any, BinaryIO

from ...core import contract
from ..runner import StaticFileError, StaticFiles

logger = logging.getLogger(__name__)

#: Largest file a fetch returns (bytes); a bigger one is answered 413. A reply is one kernel message: behind
#: a kernel gateway, jupyter_server's websocket to the gateway drops the whole kernel connection on a message
#: over tornado's default 10 MiB, so stay below it (widget packages' largest files are ~6 MB).
MAX_FETCH_SIZE = 8 * 1024 * 1024
#: Fetches of one carrier being served at once; more are answered 503 (a front end that floods).
MAX_PENDING_FETCHES = 64
#: Longest path accepted (characters).
MAX_PATH_LENGTH = 4096
#: Bytes of replies one carrier may have in flight (read or being read, and not yet let go of by the carrier);
#: past it a fetch is answered 503. Room for several of the largest files, so a page loading all its scripts
#: at once stays well below it.
MAX_BYTES_IN_FLIGHT = 8 * MAX_FETCH_SIZE
#: The same for every carrier of this process together (a kernel's comms): many comms cannot add up to more.
MAX_PROCESS_BYTES_IN_FLIGHT = 4 * MAX_BYTES_IN_FLIGHT

STATUS_OK = contract.FETCH_STATUSES["OK"]
STATUS_BAD_REQUEST = contract.FETCH_STATUSES["BAD_REQUEST"]
STATUS_NOT_FOUND = contract.FETCH_STATUSES["NOT_FOUND"]
STATUS_BUSY = contract.FETCH_STATUSES["BUSY"]

Send = Callable[[dict[str, Any], list[bytes]], None]


def is_fetch(data: Any) -> bool:
    """True when a carrier message's data is a fetch request (for this module, not the wslink frames)."""
    return isinstance(data, dict) and data.get("type") == contract.COMM_MESSAGE["FETCH"]


class ByteBudget:
    """Bytes in flight under a limit; thread-safe (a body is let go of on whichever thread drops it last)."""

    def __init__(self, limit: int, where: str) -> None:
        self.limit = limit
        self.where = where  # for the 503's reason: "on this comm", "in this process"
        self.in_use = 0
        #: The most bytes ever in flight at once (tests check the bound holds).
        self.high_water = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.in_use + size > self.limit:
                return False
            self.in_use += size
            self.high_water = max(self.high_water, self.in_use)
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.in_use -= size


class _Body(bytearray):
    """A reply's body. Unlike ``bytes``, a ``bytearray`` subclass can be weakly referenced: its bytes stay
    counted in flight exactly until nothing (the carrier, its socket) holds it any more."""


def _read_body(file: BinaryIO, size: int) -> _Body:
    """The first ``size`` bytes of ``file`` (fewer if it shrank meanwhile), read in place; closes the file."""
    body = _Body(size)
    filled = 0
    with file, memoryview(body) as view:
        while filled < size:
            count = file.readinto(view[filled:])
            if not count:
                break
            filled += count
    if filled < size:
        del body[filled:]
    return body


class FetchResponder:
    """Answers the fetches of one carrier from ``files``, on ``loop`` (the server's), through ``send``.

    ``handle`` may be called on any thread; ``send`` is always called on ``loop``, in request order of
    completion (replies carry the request's ``id``). ``available()`` says whether the server still serves:
    once it does not, fetches are answered 404. A body ``send`` gets stays counted in ``in_flight`` (and in
    ``process_budget``, which the carriers of one process share: its owner passes it, e.g. the kernel host)
    until ``send`` and its carrier have dropped every reference to it.
    """

    def __init__(
        self,
        files: StaticFiles | None,
        loop: asyncio.AbstractEventLoop,
        send: Send,
        *,
        available: Callable[[], bool] = lambda: True,
        max_size: int | None = None,
        max_pending: int = MAX_PENDING_FETCHES,
        max_bytes_in_flight: int = MAX_BYTES_IN_FLIGHT,
        process_budget: ByteBudget | None = None,
    ) -> None:
        self.files = files
        self.loop = loop
        self.send = send
        self.available = available
        self.max_size = MAX_FETCH_SIZE if max_size is None else max_size
        self.max_pending = max_pending
        # At least one file of the largest size always fits when nothing else is in flight.
        self.in_flight = ByteBudget(max(max_bytes_in_flight, self.max_size), "on this comm")
        self.process_budget = process_budget
        self._pending = 0
        self._lock = threading.Lock()

    def handle(self, data: Any) -> None:
        """Take one fetch request (any thread); its reply is sent from the server's loop."""
        request_id = data.get("id") if isinstance(data, dict) else None
        path = data.get("path") if isinstance(data, dict) else None
        if not isinstance(request_id, int) or isinstance(request_id, bool):
            self._later(None, STATUS_BAD_REQUEST, "a fetch needs an integer id")
            return
        if not isinstance(path, str) or not path or len(path) > MAX_PATH_LENGTH:
            self._later(request_id, STATUS_BAD_REQUEST, "a fetch needs a path (a non-empty string)")
            return
        with self._lock:
            busy = self._pending >= self.max_pending
            if not busy:
                self._pending += 1
        if busy:
            self._later(request_id, STATUS_BUSY, f"more than {self.max_pending} fetches at once")
            return
        try:
            asyncio.run_coroutine_threadsafe(self._serve(request_id, path), self.loop)
        except RuntimeError:  # the loop is closed: the server is gone, nobody to answer
            self._done()

    async def _serve(self, request_id: int, path: str) -> None:
        try:
            if self.files is None or not self.available():
                self._reply(request_id, STATUS_NOT_FOUND, "the server is not serving files")
                return
            try:
                file, size, mime = await self.loop.run_in_executor(None, self.files.open, path, self.max_size)
            except StaticFileError as error:
                self._reply(request_id, error.status, error.reason)
                return
            except Exception:
                logger.exception("Fetching %r failed", path)
                self._reply(request_id, STATUS_NOT_FOUND, "could not be read")
                return
            refused = self._take(size)  # before reading: a refused fetch costs no memory
            if refused is not None:
                file.close()
                self._reply(request_id, STATUS_BUSY, refused)
                return
            try:
                body = await self.loop.run_in_executor(None, _read_body, file, size)
            except OSError:
                self._give(size)
                self._reply(request_id, STATUS_NOT_FOUND, "could not be read")
                return
            except BaseException:  # cancelled (the loop is closing): the body is dropped unsent
                self._give(size)
                raise
            if len(body) < size:  # the file shrank while being read
                self._give(size - len(body))
            weakref.finalize(body, self._give, len(body))
            self._reply(request_id, STATUS_OK, "", mime, body)
        finally:
            self._done()

    def _take(self, size: int) -> str | None:
        """Count ``size`` bytes in flight, or say why they do not fit (the 503's reason)."""
        budgets = [self.in_flight] if self.process_budget is None else [self.in_flight, self.process_budget]
        for taken, budget in enumerate(budgets):
            if not budget.take(size):
                if taken:
                    self.in_flight.give(size)
                return f"more than {budget.limit} bytes of fetch replies in flight {budget.where}: try again"
        return None

    def _give(self, size: int) -> None:
        self.in_flight.give(size)
        if self.process_budget is not None:
            self.process_budget.give(size)

    def _done(self) -> None:
        with self._lock:
            self._pending -= 1

    def _later(self, request_id: int | None, status: int, reason: str) -> None:
        try:
            self.loop.call_soon_threadsafe(self._reply, request_id, status, reason)
        except RuntimeError:
            pass

    def _reply(
        self, request_id: int | None, status: int, reason: str, mime: str = "", body: bytes | None = None
    ) -> None:
        data: contract.CommFetchReply = {
            "type": "fetch-reply",
            "id": request_id,
            "status": status,
            "mime": mime,
            "reason": reason,
        }
        try:
            self.send(data, [body] if body is not None else [])
        except Exception:  # the carrier is closed (or the kernel shutting down): nobody is left to tell
            logger.debug("could not send the reply of fetch %s", request_id, exc_info=True)
