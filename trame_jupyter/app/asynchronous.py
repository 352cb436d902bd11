"""Background work for trame apps: tasks whose failures are logged, and state updates from other
processes (trame's ``trame.app.asynchronous``).

- ``create_task(coroutine)`` runs it as a task on the running loop (or the thread's) and logs its error;
  ``decorate_task(task)`` adds that reporting to a task or future; ``@task`` makes an ``async def``
  callable that schedules itself.
- ``StateQueue(queue)`` looks like a state in a worker process: writes are put on a
  ``multiprocessing`` queue as dicts. ``create_state_queue_monitor_task(server, queue)`` applies them to
  the server's state until the worker leaves its ``with StateQueue(queue):`` block.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

#: What a StateQueue puts on its queue when its worker is done (the monitor task then ends).
QUEUE_EXIT = "STOP"

# Tasks are kept alive while they run (the loop only keeps weak references), per loop.
_running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, set[asyncio.Future[Any]]] = weakref.WeakKeyDictionary()


def _report(done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.error("Background task %r failed", done, exc_info=done.exception())


def decorate_task(task: asyncio.Future[Any]) -> asyncio.Future[Any]:
    """Keep ``task`` referenced until it ends and log its error, if any; returns it."""
    keep = _running.setdefault(task.get_loop(), set())
    keep.add(task)
    task.add_done_callback(keep.discard)
    task.add_done_callback(_report)
    return task


def create_task(
    coroutine: Coroutine[Any, Any, Any], loop: asyncio.AbstractEventLoop | None = None
) -> asyncio.Task[Any]:
    """Schedule ``coroutine`` as a task (on ``loop``, else the running loop, else this thread's)."""
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
    task = loop.create_task(coroutine)
    decorate_task(task)
    return task


def task(function: Callable[..., Awaitable[Any]]) -> Callable[..., None]:
    """Decorator: calling the ``async def`` function schedules it as a task (nothing to await)."""

    def schedule(*args: Any, **kwargs: Any) -> None:
        create_task(function(*args, **kwargs))  # type: ignore[arg-type]

    schedule.__wrapped__ = function  # type: ignore[attr-defined]
    schedule.__name__ = getattr(function, "__name__", "task")
    schedule.__doc__ = function.__doc__
    return schedule


async def _apply_queue(server: Any, queue: Any, delay: float) -> None:
    while True:
        if queue.empty():
            await asyncio.sleep(delay)
            continue
        message = queue.get_nowait()
        if message == QUEUE_EXIT:
            return
        if isinstance(message, dict):
            with server.state:
                server.state.update(message)


def create_state_queue_monitor_task(server: Any, queue: Any, delay: float = 1) -> asyncio.Task[Any]:
    """Apply what a worker's ``StateQueue`` sends to ``server.state`` (checking the queue every ``delay``
    seconds when it is empty), until the worker is done."""
    return create_task(_apply_queue(server, queue, delay))


class StateQueue:
    """A state for a worker process: writes go to ``queue`` as dicts (``auto_flush``: at once, else at
    ``flush()`` or the end of the ``with`` block). Leaving the outermost ``with`` block also says the
    worker is done."""

    def __init__(self, queue: Any, auto_flush: bool = True) -> None:
        object.__setattr__(self, "_queue", queue)
        object.__setattr__(self, "_auto_flush", auto_flush)
        object.__setattr__(self, "_pending", {})
        object.__setattr__(self, "_sent", {})
        object.__setattr__(self, "_depth", 0)

    @property
    def queue(self) -> Any:
        return self._queue

    def __getitem__(self, key: str) -> Any:
        return self._pending[key] if key in self._pending else self._sent.get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._pending[key] = value
        if self._auto_flush:
            self.flush()

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self[key] = value

    def update(self, values: dict[str, Any]) -> None:
        self._pending.update(values)
        if self._auto_flush:
            self.flush()

    def flush(self) -> None:
        """Send what was written since the last send, as one dict."""
        if self._pending:
            pending = dict(self._pending)
            self._queue.put_nowait(pending)
            self._sent.update(pending)
            self._pending.clear()

    def exit(self) -> None:
        """Tell the monitor task that this worker is done."""
        self._queue.put_nowait(QUEUE_EXIT)

    def __enter__(self) -> StateQueue:
        object.__setattr__(self, "_depth", self._depth + 1)
        return self

    def __exit__(self, *_: object) -> None:
        object.__setattr__(self, "_depth", self._depth - 1)
        if self._depth == 0:
            self.flush()
            self.exit()


__all__ = [
    "QUEUE_EXIT",
    "StateQueue",
    "create_state_queue_monitor_task",
    "create_task",
    "decorate_task",
    "task",
]
