"""The controller: named, late-bound function slots, and the triggers a browser may call.

``ctrl.reset`` is a ``ControllerFunction`` proxy that exists before anything is assigned to it, so UI
code can reference ``ctrl.reset`` while another module fills it in later. Triggers are the only Python
functions a browser can call (``trigger('name', args, kwargs)`` in a template).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

from .state import spawn
from .translator import Translator

AUTO_TRIGGER_PREFIX = "trigger__"


class FunctionNotImplementedError(Exception):
    """A controller function was called but nothing was assigned or added to it."""


def _deref(fn: Any) -> Any:
    return fn() if isinstance(fn, weakref.WeakMethod) else fn


class ControllerFunction:
    """A named slot holding a main function plus added, once-only and task functions."""

    def __init__(self, name: str, background_tasks: set[asyncio.Future[Any]]) -> None:
        self.name = name
        self.func: Callable[..., Any] | None = None
        # dicts used as ordered sets: calls run in registration order.
        self._funcs: dict[Any, None] = {}
        self._funcs_once: dict[Any, None] = {}
        self._task_funcs: dict[Any, None] = {}
        self._can_be_empty = False
        self._background_tasks = background_tasks

    def __repr__(self) -> str:
        return f"<ControllerFunction {self.name}>"

    @property
    def funcs(self) -> tuple[Any, ...]:
        return tuple(self._funcs)

    @property
    def funcs_once(self) -> tuple[Any, ...]:
        return tuple(self._funcs_once)

    @property
    def task_funcs(self) -> tuple[Any, ...]:
        return tuple(self._task_funcs)

    def add(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._funcs[fn] = None
        return fn

    def once(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._funcs_once[fn] = None
        return fn

    def add_task(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self._task_funcs[fn] = None
        return fn

    def discard(self, fn: Callable[..., Any]) -> None:
        for registry in (self._funcs, self._funcs_once, self._task_funcs):
            registry.pop(fn, None)
        if self.func == fn:
            self.func = None

    def remove(self, fn: Callable[..., Any]) -> None:
        del self._funcs[fn]

    def remove_task(self, fn: Callable[..., Any]) -> None:
        del self._task_funcs[fn]

    def clear(self, set_only: bool = False) -> None:
        self._funcs.clear()
        self._funcs_once.clear()
        self._task_funcs.clear()
        if not set_only:
            self.func = None

    def exists(self) -> bool:
        return bool(self.func or self._funcs or self._funcs_once or self._task_funcs)

    def enable_empty(self, value: bool = True) -> ControllerFunction:
        """Let calls on an empty slot return None instead of raising."""
        self._can_be_empty = value
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.exists():
            if self._can_be_empty:
                return None
            raise FunctionNotImplementedError(self.name)

        others = [*self._funcs, *self._funcs_once]
        self._funcs_once.clear()

        has_main = self.func is not None
        main_result = _deref(self.func)(*args, **kwargs) if has_main else None

        results: list[Any] = []
        for fn in others:
            target = _deref(fn)
            results.append(None if target is None else target(*args, **kwargs))
        for fn in self._task_funcs:
            target = _deref(fn)
            if target is not None:
                results.append(spawn(target(*args, **kwargs), f"controller task {self.name}", self._background_tasks))

        if not has_main:
            return results
        if results:
            return [main_result, *results]
        return main_result


class _ControllerCore:
    """What a server shares with its children: slots, triggers and the auto-name counter."""

    def __init__(self) -> None:
        self.functions: dict[str, ControllerFunction] = {}
        self.triggers: dict[str, Callable[..., Any]] = {}
        self.trigger_names: dict[Any, str] = {}
        self.next_trigger_id = 1
        self.background_tasks: set[asyncio.Future[Any]] = set()


class Controller:
    """Named functions of a server: ``ctrl.x = fn``, ``ctrl.x.add(fn)``, ``ctrl.x(...)``."""

    def __init__(self, translator: Translator | None = None, internal: Controller | None = None) -> None:
        object.__setattr__(self, "_translator", translator or Translator())
        object.__setattr__(self, "_core", internal._core if internal is not None else _ControllerCore())

    def _reserved(self, name: str) -> bool:
        return name.startswith("_") or hasattr(type(self), name)

    def __getitem__(self, name: str) -> ControllerFunction:
        full = self._translator.translate_key(name)
        core = self._core
        if full not in core.functions:
            core.functions[full] = ControllerFunction(full, core.background_tasks)
        return core.functions[full]

    def __setitem__(self, name: str, fn: Callable[..., Any] | None) -> None:
        if self._reserved(name):
            raise NameError(f"'{name}' is a Controller method and cannot be used as a function name")
        self[name].func = fn

    def __getattr__(self, name: str) -> ControllerFunction:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name: str, fn: Callable[..., Any] | None) -> None:
        self[name] = fn

    @property
    def _func_dict(self) -> dict[str, ControllerFunction]:
        """Every function slot by full name (trame-server's name, read by code written for it)."""
        return self._core.functions

    def __contains__(self, name: str) -> bool:
        full = self._translator.translate_key(name)
        return full in self._core.functions and self._core.functions[full].exists()

    # -- decorator helpers -------------------------------------------------------------------------

    def add(self, name: str, clear: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if clear:
                self[name].clear()
            return self[name].add(fn)

        return register

    def once(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: self[name].once(fn)

    def add_task(self, name: str, clear: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if clear:
                self[name].clear()
            return self[name].add_task(fn)

        return register

    def set(self, name: str, clear: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if clear:
                self[name].clear()
            self[name].func = fn
            return fn

        return register

    # -- triggers ----------------------------------------------------------------------------------

    def trigger(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: let browsers call ``fn`` as ``trigger('name', args, kwargs)``."""
        full = name if name.startswith(AUTO_TRIGGER_PREFIX) else self._translator.translate_key(name)

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            core = self._core
            previous = core.triggers.get(full)
            if previous is not None:
                core.trigger_names.pop(previous, None)
            core.triggers[full] = fn
            core.trigger_names[fn] = full
            return fn

        return register

    def trigger_name(self, fn: Callable[..., Any]) -> str:
        """The trigger name of ``fn``, registering it under an automatic ``trigger__N`` name if needed."""
        core = self._core
        if fn in core.trigger_names:
            return core.trigger_names[fn]
        name = f"{AUTO_TRIGGER_PREFIX}{core.next_trigger_id}"
        core.next_trigger_id += 1
        self.trigger(name)(fn)
        return name

    def trigger_fn(self, name: str) -> Callable[..., Any] | None:
        return self._core.triggers.get(name)

    def trigger_unregister(self, fn_or_name: Callable[..., Any] | str) -> Any:
        """Forget a trigger; returns the name (given a function), the function (given a name), or False."""
        core = self._core
        if isinstance(fn_or_name, str):
            fn = core.triggers.pop(fn_or_name, None)
            if fn is None:
                return False
            core.trigger_names.pop(fn, None)
            return fn
        name = core.trigger_names.pop(fn_or_name, None)
        if name is None:
            return False
        core.triggers.pop(name, None)
        return name
