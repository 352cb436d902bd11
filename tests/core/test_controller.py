"""Controller: late-bound function slots, call return shapes, triggers."""

import asyncio

import pytest

from trame_jupyter.core.controller import Controller, FunctionNotImplementedError
from trame_jupyter.core.translator import Translator


def test_proxy_exists_before_assignment_and_calls_main():
    ctrl = Controller()
    proxy = ctrl.reset
    ctrl.reset = lambda: "main"
    assert proxy() == "main"
    assert "reset" in ctrl


def test_empty_call_raises_unless_enabled():
    ctrl = Controller()
    with pytest.raises(FunctionNotImplementedError):
        ctrl.nothing()
    assert ctrl.nothing.enable_empty()() is None


def test_return_shapes():
    ctrl = Controller()
    ctrl.only_added.add(lambda: 1)
    ctrl.only_added.add(lambda: 2)
    assert ctrl.only_added() == [1, 2]

    ctrl.main_and_added = lambda: "m"
    ctrl.main_and_added.add(lambda: "a")
    assert ctrl.main_and_added() == ["m", "a"]

    ctrl.main_only = lambda x: x * 2
    assert ctrl.main_only(4) == 8


def test_once_runs_a_single_time_after_the_others():
    ctrl = Controller()
    ctrl.f.add(lambda: "always")
    ctrl.f.once(lambda: "once")
    assert ctrl.f() == ["always", "once"]
    assert ctrl.f() == ["always"]


def test_once_only_slot_exists():
    ctrl = Controller()
    ctrl.g.once(lambda: 1)
    assert ctrl.g.exists()


async def test_tasks_are_scheduled_and_returned():
    ctrl = Controller()

    async def work(x):
        await asyncio.sleep(0)
        return x + 1

    ctrl.main = lambda x: 5
    ctrl.main.add(lambda x: 4)
    ctrl.main.add_task(work)
    result = ctrl.main(1)
    assert result[:2] == [5, 4]
    assert await result[2] == 2
    ctrl.main.remove_task(work)
    assert ctrl.main(1) == [5, 4]


def test_discard_and_clear():
    ctrl = Controller()

    def fn():
        return 1

    ctrl.h = fn
    ctrl.h.add(fn)
    ctrl.h.discard(fn)
    assert not ctrl.h.exists()
    ctrl.h.add(fn)
    ctrl.h.clear()
    assert not ctrl.h.exists()


def test_decorator_helpers():
    ctrl = Controller()

    @ctrl.add("x")
    def one():
        return 1

    @ctrl.set("y")
    def two():
        return 2

    assert ctrl.x() == [1] and ctrl.y() == 2


def test_controller_method_names_are_protected():
    ctrl = Controller()
    with pytest.raises(NameError):
        ctrl.trigger = lambda: None
    with pytest.raises(NameError):
        ctrl["add"] = lambda: None


def test_triggers_and_auto_names():
    ctrl = Controller()

    @ctrl.trigger("hello")
    def hello():
        return "hi"

    assert ctrl.trigger_fn("hello") is hello
    assert ctrl.trigger_name(hello) == "hello"

    def anonymous():
        pass

    name = ctrl.trigger_name(anonymous)
    assert name == "trigger__1"
    assert ctrl.trigger_name(anonymous) == "trigger__1"
    assert ctrl.trigger_unregister(anonymous) == "trigger__1"
    assert ctrl.trigger_fn("trigger__1") is None
    assert ctrl.trigger_unregister("hello") is hello
    assert ctrl.trigger_unregister("hello") is False


def test_child_controller_prefixes_names_but_shares_counter():
    root = Controller()
    child = Controller(Translator(prefix="c_"), internal=root)

    @child.trigger("go")
    def go():
        pass

    assert root.trigger_fn("c_go") is go
    child.reset = lambda: "child"
    assert root["c_reset"]() == "child"
    assert child.trigger_name(lambda: 1) == "trigger__1"
    assert root.trigger_name(lambda: 2) == "trigger__2"
    child.on_server_ready.add(lambda: "shared")
    assert root.on_server_ready() == ["shared"]
