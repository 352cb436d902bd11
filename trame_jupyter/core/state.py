"""Reactive shared state: pending writes, flushes that push them to browsers, and ``@change`` callbacks.

A ``State`` is a view: the data lives in a ``_StateCore`` that a server shares with its child servers,
while each view has its own ``Translator`` (a child sees its keys without the prefix).

Rules (PROTOCOL.md "State"): writes are compared by value with what was last pushed; nothing is
pushed before ``ready()``; a flush repeats until no write is pending, running the callbacks of the
keys written in each pass; inside a running event loop a write outside any ``with state:`` block
schedules a flush at the end of the current loop iteration, so notebook cells need no explicit
``flush()``; and a ``with state:`` block holds its writes back until it ends, even across ``await``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .translator import Translator

logger = logging.getLogger(__name__)

#: A flush that is still producing changes after this many passes is stopped (a callback cycle).
MAX_FLUSH_PASSES = 100

CommitFn = Callable[[dict[str, Any]], None]

#: The ``with state:`` blocks open in the current context, as (state core id, task that opened it). The
#: writes of that task wait for the block's end instead of being flushed automatically, even across an
#: ``await``. A task created inside the block inherits this variable (asyncio copies the context), but
#: it is another task: its writes flush as usual (a trigger that starts background work must stream it).
_open_blocks: contextvars.ContextVar[tuple[tuple[int, object], ...]] = contextvars.ContextVar(
    "trame_open_state_blocks", default=()
)
ChangeCallback = Callable[..., Any]


class StateFlushLoopError(RuntimeError):
    """Change callbacks kept modifying state: the flush was stopped instead of looping forever."""


def values_equal(a: Any, b: Any) -> bool:
    """Value equality that also works for numpy arrays and objects whose ``==`` misbehaves."""
    if a is b:
        return True
    if type(a) is not type(b) and (_is_array(a) or _is_array(b)):
        return False
    if _is_array(a):
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    try:
        result = a == b
        return result if isinstance(result, bool) else bool(result)
    except Exception:  # ambiguous or failing __eq__: treat as a change, never crash a write
        return False


def _is_array(value: Any) -> bool:
    return hasattr(value, "__array_interface__") and hasattr(value, "tobytes") and hasattr(value, "dtype")


class _StateCore:
    """The data shared by every view of one state (a server and its children)."""

    def __init__(self, commit_fn: CommitFn | None) -> None:
        self.commit_fn = commit_fn
        self.pending: dict[str, Any] = {}
        self.pushed: dict[str, Any] = {}
        # Ordered set of keys whose callbacks must run at the next pass, in write order.
        self.listener_keys: dict[str, None] = {}
        self.callbacks: dict[str, list[tuple[Any, Translator]]] = {}
        self.suppressions: list[frozenset[str] | None] = []
        self.modified_keys: set[str] = set()
        self.ready = False
        self.flushing = False
        self.flush_scheduled = False
        # Strong references to tasks running async callbacks (the loop only keeps weak ones).
        self.tasks: set[asyncio.Future[Any]] = set()

    def is_suppressed(self, key: str) -> bool:
        return any(s is None or key in s for s in self.suppressions)

    def record(self, key: str) -> None:
        if not self.is_suppressed(key):
            self.listener_keys[key] = None


class State:
    """The shared state of a server (or the server-only ``context``).

    Read and write keys as items or attributes: ``state["count"]``, ``state.count = 3``. A missing key
    reads as ``None``. Names starting with ``_`` are Python attributes, not state keys (an unset one reads
    as None too, as in trame).

    Parameters (trame-server's)
    ---------------------------
    translator:
        How this view names keys (a child server's prefix); its own by default.
    internal:
        Another state whose data this one shares (a child server's state is a view of its parent's).
    commit_fn:
        Called with the changes of every flush (the server sends them to browsers).
    hot_reload:
        Accepted for compatibility: change callbacks are not reloaded from their source here.
    ready:
        Start ready (pushing at once) instead of waiting for ``ready()``.
    """

    def __init__(
        self,
        translator: Translator | None = None,
        internal: State | None = None,
        commit_fn: CommitFn | None = None,
        hot_reload: bool = False,
        ready: bool = False,
    ) -> None:
        object.__setattr__(self, "_translator", translator or Translator())
        core = internal._core if internal is not None else _StateCore(commit_fn)
        if ready:
            core.ready = True
        object.__setattr__(self, "_core", core)

    # -- key access ------------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        full = self._translator.translate_key(key)
        core = self._core
        if full in core.pending:
            return core.pending[full]
        return core.pushed.get(full)

    def __setitem__(self, key: str, value: Any) -> None:
        self._write(self._translator.translate_key(key), value)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") and key.endswith("__"):
            return getattr(object, key)  # e.g. copy and pickle probing: never a state key
        if key.startswith("_"):
            return None  # an unset private attribute (trame's behaviour)
        return self[key]

    @property
    def _pending_update(self) -> dict[str, Any]:
        """Writes not flushed yet (full names); trame-server's name, read by code written for it."""
        return self._core.pending

    @property
    def _pushed_state(self) -> dict[str, Any]:
        """What was last pushed (full names); trame-server's name."""
        return self._core.pushed

    @property
    def _change_callbacks(self) -> dict[str, list[tuple[Any, Translator]]]:
        """Full key → its ``(callback, translator)`` pairs; trame-server's name."""
        return self._core.callbacks

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self[key] = value

    def __contains__(self, key: str) -> bool:
        return self.has(key)

    def has(self, key: str) -> bool:
        """True if the key was ever written (pending or pushed)."""
        full = self._translator.translate_key(key)
        return full in self._core.pending or full in self._core.pushed

    def _write(self, full: str, value: Any) -> None:
        core = self._core
        if full in core.pushed and values_equal(core.pushed[full], value):
            # Writing back the last pushed value cancels any pending change.
            core.pending.pop(full, None)
            core.listener_keys.pop(full, None)
            return
        core.pending[full] = value
        core.record(full)
        self._schedule_flush()

    def update(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Write several keys at once."""
        for key, value in {**(values or {}), **kwargs}.items():
            self._write(self._translator.translate_key(key), value)

    def setdefault(self, key: str, value: Any) -> Any:
        """Give a key a value unless it has one; callbacks of a defaulted key fire at ``ready()``."""
        full = self._translator.translate_key(key)
        core = self._core
        if full in core.pushed:
            return core.pushed[full]
        if full not in core.pending:
            core.pending[full] = value
            core.record(full)
            self._schedule_flush()
        return core.pending[full]

    def dirty(self, *keys: str) -> None:
        """Mark keys as modified (after an in-place mutation) so they are pushed and callbacks fire."""
        core = self._core
        for full in self._translator.translate_list(keys):
            core.pending.setdefault(full, core.pushed.get(full))
            core.record(full)
        if keys:
            self._schedule_flush()

    def clean(self, *keys: str) -> None:
        """Accept pending values of these keys as pushed, without sending them or running callbacks."""
        core = self._core
        for full in self._translator.translate_list(keys):
            if full in core.pending:
                core.pushed[full] = core.pending.pop(full)
            core.listener_keys.pop(full, None)

    def is_dirty(self, *keys: str) -> bool:
        return any(k in self._core.pending for k in self._translator.translate_list(keys))

    def is_dirty_all(self, *keys: str) -> bool:
        return all(k in self._core.pending for k in self._translator.translate_list(keys))

    def client_only(self, *keys: str) -> None:
        """Keys the browser keeps to itself: it never sends their changes to the server."""
        current = list(self["trame__client_only"] or [])
        added = [k for k in dict.fromkeys(self._translator.translate_list(keys)) if k not in current]
        if added:
            self["trame__client_only"] = current + added
            self.flush()

    def to_dict(self) -> dict[str, Any]:
        """Flush, then return a copy of every pushed key, by full name (as trame does)."""
        self.flush()
        return dict(self._core.pushed)

    @property
    def initial(self) -> dict[str, Any]:
        """Everything a newly connected client needs: pushed values overlaid with pending ones."""
        return {**self._core.pushed, **self._core.pending}

    @property
    def translator(self) -> Translator:
        return self._translator

    @property
    def is_ready(self) -> bool:
        return self._core.ready

    @property
    def modified_keys(self) -> set[str]:
        """Full names of the keys flushed in the current pass (for use inside callbacks)."""
        return self._core.modified_keys

    # -- change callbacks -------------------------------------------------------------------------

    def change(self, *keys: str) -> Callable[[ChangeCallback], ChangeCallback]:
        """Decorator: call ``fn(**state)`` whenever one of ``keys`` is modified by Python or a browser."""

        def register(fn: ChangeCallback) -> ChangeCallback:
            for full in self._translator.translate_list(keys):
                self._core.callbacks.setdefault(full, []).append((fn, self._translator))
            return fn

        return register

    @contextlib.contextmanager
    def suppress_change_listeners(self, *keys: str) -> Iterator[None]:
        """Writes made inside the block (to ``keys``, or to any key if none given) fire no callbacks."""
        entry = frozenset(self._translator.translate_list(keys)) if keys else None
        self._core.suppressions.append(entry)
        try:
            yield
        finally:
            self._core.suppressions.remove(entry)

    # -- flushing ----------------------------------------------------------------------------------

    def __enter__(self) -> State:
        _open_blocks.set((*_open_blocks.get(), (id(self._core), _current_task())))
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        blocks = list(_open_blocks.get())
        entry = (id(self._core), _current_task())
        if entry in blocks:
            del blocks[len(blocks) - 1 - blocks[::-1].index(entry)]  # the innermost one
            _open_blocks.set(tuple(blocks))
        self.flush()

    def ready(self) -> None:
        """Start pushing: flush everything written before the server was ready."""
        core = self._core
        if not core.ready:
            core.ready = True
            self.flush()

    def flush(self) -> set[str] | None:
        """Push pending writes and run their callbacks, repeating while callbacks write more.

        Returns the full names of the keys flushed, or None when not ready or already flushing.
        """
        core = self._core
        if not core.ready or core.flushing:
            return None
        core.flushing = True
        flushed: set[str] = set()
        errors: list[Exception] = []
        try:
            passes = 0
            while core.pending:
                passes += 1
                if passes > MAX_FLUSH_PASSES:
                    looping = sorted(core.pending)
                    # Push what is pending so browsers match Python, but stop calling callbacks.
                    core.listener_keys.clear()
                    self._flush_pass(errors)
                    raise StateFlushLoopError(
                        f"State flush stopped after {MAX_FLUSH_PASSES} passes: change callbacks keep "
                        f"modifying {', '.join(looping)}. Make the callbacks stop writing new values."
                    )
                flushed |= self._flush_pass(errors)
        finally:
            core.flushing = False
            core.modified_keys = set()
        if errors:
            raise errors[0]
        return flushed

    def _flush_pass(self, errors: list[Exception]) -> set[str]:
        core = self._core
        changes = core.pending
        core.pending = {}
        core.modified_keys = set(changes)
        core.pushed.update(changes)
        if core.commit_fn is not None:
            try:
                core.commit_fn(changes)
            except Exception as error:  # unserializable value: reported after callbacks ran
                errors.append(error)

        listener_keys = list(core.listener_keys)
        core.listener_keys.clear()
        for fn, translator in self._callbacks_for(listener_keys):
            self._run_callback(fn, translator, listener_keys)
        return set(changes)

    def _callbacks_for(self, keys: list[str]) -> list[tuple[Any, Translator]]:
        seen: set[int] = set()
        ordered = []
        for key in keys:
            for fn, translator in self._core.callbacks.get(key, ()):
                if id(fn) not in seen:
                    seen.add(id(fn))
                    ordered.append((fn, translator))
        return ordered

    def _run_callback(self, fn: Any, translator: Translator, keys: list[str]) -> None:
        target = fn() if isinstance(fn, weakref.WeakMethod) else fn
        if target is None:
            return
        try:
            result = target(**translator.reverse_translate_dict(self._core.pushed))
        except Exception:
            logger.exception(
                "@change callback %s failed (modified key(s): %s); the other callbacks still ran",
                _callable_name(target),
                ", ".join(keys),
            )
            return
        if inspect.isawaitable(result):
            what = f"async @change callback {_callable_name(target)} (key(s): {', '.join(keys)})"
            spawn(result, what, self._core.tasks)

    def _schedule_flush(self) -> None:
        """Inside a running loop, flush at the end of the current iteration (coalesced)."""
        core = self._core
        if not core.ready or core.flushing or core.flush_scheduled or (id(core), _current_task()) in _open_blocks.get():
            return  # inside `with state:` (opened by this very task) the block's end flushes
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        core.flush_scheduled = True
        loop.call_soon(self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._core.flush_scheduled = False
        try:
            self.flush()
        except Exception:
            logger.exception("Automatic state flush failed")


def _current_task() -> object:
    """The running asyncio task, or None (code outside any task)."""
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _callable_name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def spawn(awaitable: Any, what: str, keep: set[asyncio.Future[Any]]) -> asyncio.Future[Any] | None:
    """Run an awaitable returned by user code as a task whose failure is logged, not lost.

    ``keep`` holds a strong reference until the task ends (the event loop only keeps weak ones).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        logger.error("%s returned an awaitable but no event loop is running; it was not awaited", what)
        if inspect.iscoroutine(awaitable):
            awaitable.close()
        return None
    task = asyncio.ensure_future(awaitable, loop=loop)
    keep.add(task)

    def report(done: asyncio.Future[Any]) -> None:
        keep.discard(done)
        if not done.cancelled() and done.exception() is not None:
            logger.error("%s failed", what, exc_info=done.exception())

    task.add_done_callback(report)
    return task
