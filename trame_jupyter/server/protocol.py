"""trame's wire contract on top of wslink: the ``trame.*`` RPCs and the two publish topics.

One ``TrameProtocol`` exists per started server (PROTOCOL.md "Wire protocol"). It holds the server it
serves (no class-level slot), the per-server secret, and the cache of the last encoded value of every
state key, so a value is sent to browsers only when its encoding changed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wslink import register
from wslink.websocket import ServerProtocol

from ..core import wire
from ..core.contract import RESERVED_PREFIX, RPC, TOPIC
from ..core.rpc import METHOD_NOT_FOUND, RpcError, current_client_id, invalid_params

if TYPE_CHECKING:
    from .endpoint import WslinkEndpoint
    from .server import Server

logger = logging.getLogger(__name__)

STATE_TOPIC = TOPIC["STATE"]
ACTIONS_TOPIC = TOPIC["ACTIONS"]

_CLIENT_PHASE = re.compile(r"client_[a-z][a-z0-9_]*")
_MAX_LOGGED_CLIENT_ERROR = 4000


class UnserializableStateError(TypeError):
    """State values that cannot be encoded for the browser (they were not sent)."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        details = "; ".join(f"'{key}': {reason}" for key, reason in reasons.items())
        super().__init__(f"state value(s) cannot be sent to the browser and were not pushed: {details}")
        self.keys = list(reasons)


class TriggerError(RuntimeError):
    """A trigger raised; the message names the trigger, the cause is chained."""


def clean_value(value: Any, depth: int = 0) -> Any:
    """Drop the sub-keys a value lists in ``_filter`` (e.g. an uploaded file's content) before sending.

    Looks into lists (a file input holds a list of files) but not deeper than two levels.
    """
    if isinstance(value, dict) and isinstance(value.get("_filter"), list):
        hidden = set(value["_filter"])
        return {k: v for k, v in value.items() if k not in hidden}
    if isinstance(value, list) and depth < 2:
        return [clean_value(v, depth + 1) for v in value]
    return value


class TrameProtocol(ServerProtocol):
    """The ``trame.*`` RPCs of one server."""

    def __init__(self, server: Server, secret: str, *, allow_client_exit: bool) -> None:
        self._server = server
        self._allow_client_exit = allow_client_exit
        self._sent: dict[str, bytes] = {}
        #: A client's writes being applied, by key: (the value written, its encoding); see push_state_change.
        self._echoed: dict[str, tuple[Any, bytes]] = {}
        self.endpoint: WslinkEndpoint | None = None
        super().__init__()
        self.updateSecret(secret)

    @property
    def server(self) -> Server:
        return self._server

    @property
    def last_active_client_id(self) -> str | None:
        """The client whose request is being handled (None outside a request)."""
        return current_client_id.get()

    def registerLinkProtocol(self, protocol: Any) -> None:  # noqa: N802 (wslink's name)
        super().registerLinkProtocol(protocol)
        if self.endpoint is not None:  # registered after start: make its RPCs reachable at once
            self.endpoint.bind_protocols()

    # -- Python → browser --------------------------------------------------------------------------

    def push_state_change(self, changes: Mapping[str, Any], skip_client_id: str | None = None) -> None:
        """Send the keys whose encoding changed since last sent; raise for values that cannot be encoded."""
        # A client's writes were encoded once for their echo (update_state): the flush that follows sends
        # the very same objects, before any callback could touch them, so it reuses those encodings.
        echoed, self._echoed = self._echoed, {}
        packed: dict[str, bytes] = {}
        rejected: dict[str, str] = {}
        for key, value in changes.items():
            same = echoed.get(key)
            if same is not None and same[0] is value:
                packed[key] = same[1]
                continue
            try:
                packed[key] = wire.pack(clean_value(value))
            except TypeError as error:
                rejected[key] = str(error)
        self._send_packed(packed, skip_client_id)
        if rejected:
            raise UnserializableStateError(rejected)

    def _send_packed(self, packed: Mapping[str, bytes], skip_client_id: str | None = None) -> None:
        fresh = {key: value for key, value in packed.items() if self._sent.get(key) != value}
        if fresh:
            self._sent.update(fresh)
            if self.endpoint is not None:
                self.endpoint.publish_packed(STATE_TOPIC, wire.pack_map_of_packed(fresh), skip_client_id=skip_client_id)

    def forget_sent(self, *keys: str) -> None:
        """Make the next push of these keys go out even if unchanged."""
        for key in keys:
            self._sent.pop(key, None)

    def push_actions(self, actions: list[dict[str, Any]]) -> None:
        if self.endpoint is not None:
            self.endpoint.publish(ACTIONS_TOPIC, actions)

    # -- RPCs --------------------------------------------------------------------------------------

    @register(RPC["STATE_GET"])
    def get_state(self) -> wire.Packed:
        state = self._server.root_server.state
        try:
            state.flush()  # pending writes reach every client (this one included) first
        except Exception:
            logger.exception("Flush before sending the initial state failed")
        values: dict[str, bytes] = {}
        for key, value in state.initial.items():
            try:
                values[key] = wire.pack(clean_value(value))
            except TypeError as error:
                logger.error("Initial state: key '%s' skipped: %s", key, error)
        return wire.Packed(
            wire.pack_map_of_packed({"name": wire.pack(self._server.name), "state": wire.pack_map_of_packed(values)})
        )

    @register(RPC["STATE_UPDATE"])
    def update_state(self, changes: Any) -> dict[str, Any] | None:
        """Apply a client's writes; answer with the values the server kept where they differ from them.

        The answer is how every client converges: a client ignores published values of a key while
        its own write of that key is in flight (those publishes are older than its write), then takes
        the value from this answer (a callback may have changed what it wrote).
        """
        if not isinstance(changes, list) or not all(
            isinstance(c, dict) and isinstance(c.get("key"), str) and "value" in c for c in changes
        ):
            raise invalid_params("trame.state.update expects one argument: a list of {key, value} maps")
        values = {c["key"]: c["value"] for c in changes}
        reserved = sorted(key for key in values if key.startswith(RESERVED_PREFIX))
        if reserved:
            # Templates, scripts, styles and vue_use run in every page: only Python may set them.
            raise invalid_params(
                f"trame.state.update: {', '.join(reserved)} can only be set by the server (keys starting with "
                f"{RESERVED_PREFIX!r} are reserved); nothing was changed"
            )
        written: dict[str, bytes] = {}  # each value encoded once: for the echo, the flush and the answer
        rejected: dict[str, str] = {}
        for key, value in values.items():
            try:
                written[key] = wire.pack(clean_value(value))
            except TypeError as error:
                rejected[key] = str(error)
        state = self._server.root_server.state
        try:
            with state:
                # Echo to the other clients first (this also records what they have), then run callbacks.
                self._send_packed(written, skip_client_id=current_client_id.get())
                if rejected:
                    raise UnserializableStateError(rejected)
                self._echoed = {key: (values[key], packed) for key, packed in written.items()}
                state.update(values)
        finally:
            self._echoed = {}
        kept = {key: clean_value(state[key]) for key in values if self._sent.get(key) != written[key]}
        return kept or None

    @register(RPC["TRIGGER"])
    def trigger(self, name: Any, args: Any = None, kwargs: Any = None) -> Any:
        if not isinstance(name, str):
            raise invalid_params("trame.trigger expects the trigger name as its first argument")
        args = [] if args is None else args
        kwargs = {} if kwargs is None else kwargs
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise invalid_params(f"trigger '{name}': args must be a list and kwargs a map")
        fn = self._server.controller.trigger_fn(name)
        if fn is None:
            raise RpcError(METHOD_NOT_FOUND, f"Unknown trigger '{name}'", {"trigger": name})
        _check_call(fn, name, args, kwargs)
        state = self._server.root_server.state
        with state:
            try:
                result = fn(*args, **kwargs)
            except Exception as error:
                raise TriggerError(f"trigger '{name}' raised {error!r}") from error
        if inspect.isawaitable(result):
            return self._finish_trigger(name, result)
        return result

    async def _finish_trigger(self, name: str, awaitable: Any) -> Any:
        # Not inside `with state:`: what the trigger writes while it awaits reaches browsers as it goes.
        try:
            return await awaitable
        except Exception as error:
            raise TriggerError(f"trigger '{name}' raised {error!r}") from error
        finally:
            self._server.root_server.state.flush()

    @register(RPC["FORCE_PUSH"])
    def force_push(self, *keys: Any) -> None:
        if not all(isinstance(k, str) for k in keys):
            raise invalid_params("trame.force.push expects key names")
        self.forget_sent(*keys)
        state = self._server.root_server.state
        self.push_state_change({k: state[k] for k in keys})

    @register(RPC["LIFECYCLE"])
    def lifecycle_update(self, phase: Any) -> None:
        if not isinstance(phase, str) or not _CLIENT_PHASE.fullmatch(phase):
            raise invalid_params("trame.lifecycle.update expects a client phase such as 'client_connected'")
        function = self._server.controller[f"on_{phase}"]
        if function.exists():
            function()

    @register(RPC["CLIENT_ERROR"])
    def client_error(self, message: Any) -> None:
        handler = self._server.controller.on_error
        if handler.exists():
            handler(message)
        else:
            text = str(message)[:_MAX_LOGGED_CLIENT_ERROR]
            logger.error("Browser error (server '%s'): %s", self._server.name, text)

    @register("application.exit")
    def exit(self) -> None:
        self._refuse_client_exit()
        self.stopServer()

    @register("application.exit.later")
    def exitLater(self, secondsLater: float = 60) -> None:  # noqa: N802, N803 (wslink's names)
        self._refuse_client_exit()
        asyncio.get_running_loop().call_later(float(secondsLater), self.stopServer)

    def _refuse_client_exit(self) -> None:
        if not self._allow_client_exit:
            raise RpcError(
                METHOD_NOT_FOUND,
                "application.exit is disabled: this server was started in task/coroutine mode and is "
                "stopped from Python (server.stop())",
            )


def _check_call(fn: Any, name: str, args: list, kwargs: dict) -> None:
    """Reject calls whose arguments do not fit the trigger's signature, before running it."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some callables (builtins) have no signature: let the call decide
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        raise invalid_params(f"trigger '{name}' called with arguments that do not fit: {error}") from None
