"""State semantics: value-equality writes, flush passes, callbacks, readiness, children, auto-flush."""

import asyncio
import logging

import numpy as np
import pytest

from trame_jupyter.core.state import MAX_FLUSH_PASSES, State, StateFlushLoopError, values_equal
from trame_jupyter.core.translator import Translator


def ready_state():
    pushes = []
    state = State(commit_fn=lambda changes: pushes.append(dict(changes)))
    state.ready()
    return state, pushes


def test_missing_key_reads_none_and_attribute_access():
    state = State()
    assert state.nothing is None
    state.a = 1
    assert state["a"] == 1
    assert "a" in state
    assert "b" not in state


def test_nothing_is_pushed_before_ready_then_everything_at_ready():
    pushes = []
    calls = []
    state = State(commit_fn=lambda changes: pushes.append(dict(changes)))
    state.change("a")(lambda **s: calls.append(s["a"]))
    state.a = 1
    state.flush()
    assert pushes == [] and calls == []
    state.ready()
    assert pushes == [{"a": 1}]
    assert calls == [1]


def test_writing_the_pushed_value_back_is_a_no_op():
    state, pushes = ready_state()
    state.a = [1, 2]
    state.flush()
    state.a = [1, 2]  # equal value, new object
    assert not state.is_dirty("a")
    state.a = 3
    state.a = [1, 2]  # back to the pushed value cancels the pending change
    assert state.flush() == set()
    assert pushes == [{"a": [1, 2]}]


def test_in_place_mutation_needs_dirty():
    state, pushes = ready_state()
    state.items = [1]
    state.flush()
    state.items.append(2)
    assert state.flush() == set()
    state.dirty("items")
    state.flush()
    assert pushes[-1] == {"items": [1, 2]}


def test_callbacks_get_the_whole_state_in_key_order_once_per_pass():
    state, _ = ready_state()
    order = []
    state.change("b")(lambda **s: order.append(("b", s["a"], s["b"])))
    state.change("a")(lambda **s: order.append(("a", s["a"], s["b"])))

    def both(**s):
        order.append(("both", s["a"], s["b"]))

    state.change("a", "b")(both)
    state.a = 1
    state.b = 2
    state.flush()
    assert order == [("a", 1, 2), ("both", 1, 2), ("b", 1, 2)]


def test_chained_callbacks_run_in_later_passes_of_one_flush():
    state, pushes = ready_state()

    @state.change("n")
    def step(n, **_):
        if n < 3:
            state.n = n + 1

    state.n = 0
    state.flush()
    assert state.n == 3
    assert pushes == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]


def test_callback_cycle_stops_with_an_error_naming_the_keys():
    state, _ = ready_state()

    @state.change("x")
    def bump(x, **_):
        state.x = x + 1

    state.x = 0
    with pytest.raises(StateFlushLoopError, match="modifying x") as info:
        state.flush()
    assert str(MAX_FLUSH_PASSES) in str(info.value)
    assert not state.is_dirty("x")  # the last value was still pushed


def test_with_block_flushes_on_exit_even_on_error():
    state, pushes = ready_state()
    with pytest.raises(ValueError), state:
        state.a = 1
        raise ValueError("boom")
    assert pushes == [{"a": 1}]


def test_setdefault_fires_callbacks_at_ready():
    calls = []
    state = State(commit_fn=lambda c: None)
    state.change("res")(lambda res, **_: calls.append(res))
    assert state.setdefault("res", 6) == 6
    assert state.setdefault("res", 7) == 6
    state.ready()
    assert calls == [6]


def test_update_and_is_dirty():
    state, _ = ready_state()
    state.update({"a": 1}, b=2)
    assert state.is_dirty("a") and state.is_dirty_all("a", "b")
    state.flush()
    assert not state.is_dirty("a", "b")


def test_clean_accepts_pending_without_push_and_keeps_other_listeners():
    state, pushes = ready_state()
    calls = []
    state.change("b")(lambda **s: calls.append("b"))
    state.a = 1
    state.b = 2
    state.clean("a")
    state.flush()
    assert pushes == [{"b": 2}]
    assert calls == ["b"]
    assert state.a == 1


def test_suppress_change_listeners():
    state, pushes = ready_state()
    calls = []
    state.change("a", "b")(lambda **s: calls.append(1))
    with state.suppress_change_listeners("a"):
        state.a = 1
    state.flush()
    assert calls == [] and pushes == [{"a": 1}]
    with state.suppress_change_listeners():
        state.b = 1
    state.flush()
    assert calls == []
    state.b = 2
    state.flush()
    assert calls == [1]


def test_failing_callback_is_logged_with_its_keys_and_others_still_run(caplog):
    state, _ = ready_state()
    ran = []

    @state.change("k")
    def broken(**_):
        raise RuntimeError("nope")

    state.change("k")(lambda **_: ran.append(True))
    with caplog.at_level(logging.ERROR):
        state.k = 1
        state.flush()
    assert ran == [True]
    assert any("broken" in r.getMessage() and "k" in r.getMessage() for r in caplog.records)


def test_child_view_prefixes_keys_and_callbacks_see_local_names():
    root, pushes = ready_state()
    child = State(Translator(prefix="c_"), internal=root)
    seen = {}
    child.change("count")(lambda **s: seen.update(s))
    root.count = 100
    child.count = 1
    root.flush()
    assert pushes[-1] == {"count": 100, "c_count": 1}
    assert seen["count"] == 1  # the child's own key, not the root's
    assert "c_count" not in seen


def test_client_only_adds_keys_once():
    state, _ = ready_state()
    state.trame__client_only = ["trame__busy"]
    state.flush()
    state.client_only("local", "local")
    assert state.trame__client_only == ["trame__busy", "local"]


def test_values_equal_handles_numpy():
    a = np.arange(6).reshape(2, 3)
    assert values_equal(a, a.copy())
    assert not values_equal(a, a.reshape(3, 2))
    assert not values_equal(a, a.astype("float64"))
    assert not values_equal(a, [0, 1])


def test_numpy_write_is_compared_by_content():
    state, _ = ready_state()
    state.img = np.zeros(4)
    state.flush()
    state.img = np.zeros(4)
    assert state.flush() == set()
    state.img = np.ones(4)
    assert state.flush() == {"img"}


async def test_writes_in_a_running_loop_flush_at_the_end_of_the_iteration():
    state, pushes = ready_state()
    state.a = 1
    state.b = 2
    assert pushes == []  # nothing yet: coalesced until the loop iterates
    await asyncio.sleep(0)
    assert pushes == [{"a": 1, "b": 2}]


async def test_async_callbacks_run_as_tasks_after_the_flush():
    state, _ = ready_state()
    seen = []

    @state.change("a")
    async def later(a, **_):
        await asyncio.sleep(0)
        seen.append(a)

    state.a = 5
    state.flush()
    assert seen == []
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == [5]


async def test_with_block_holds_its_writes_across_await():
    state, pushes = ready_state()
    calls = []
    state.change("a")(lambda a, **_: calls.append(a))
    with state:
        state.a = 1
        for _ in range(3):
            await asyncio.sleep(0)
        assert calls == [] and pushes == []  # the block's own writes wait for its end
    assert calls == [1] and pushes == [{"a": 1}]


async def test_a_task_outside_the_block_still_flushes_its_writes():
    state, pushes = ready_state()
    go = asyncio.Event()

    async def elsewhere():
        await go.wait()
        state.b = "other task"

    task = asyncio.ensure_future(elsewhere())  # created outside the block: not part of it
    with state:
        go.set()
        await task
        await asyncio.sleep(0)
        assert any(push.get("b") == "other task" for push in pushes)


async def test_a_task_started_inside_a_with_block_flushes_on_its_own():
    """A trigger runs inside ``with state:`` and may start background work: that task's writes must
    reach browsers as it runs, not wait for a block it did not open."""
    pushed = []
    state = State(commit_fn=lambda changes: pushed.append(dict(changes)))
    state.ready()
    progressed = asyncio.Event()

    async def work():
        state.progress = 50
        await asyncio.sleep(0)  # a turn of the loop: the automatic flush runs
        progressed.set()
        await asyncio.sleep(3600)

    with state:
        task = asyncio.create_task(work())
        await asyncio.wait_for(progressed.wait(), 5)
        assert {"progress": 50} in pushed  # flushed while the block that created the task is still open
        state.held = 1
        await asyncio.sleep(0)
        assert not any("held" in p for p in pushed)  # the block's own writes still wait for its end
    assert any("held" in p for p in pushed)
    task.cancel()
