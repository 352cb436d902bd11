"""The wslink endpoint of one server: client connections, authentication, RPC dispatch, publishes.

It speaks wslink 2.x (``wire.py`` frames, ``rpc.py`` envelopes) over any ``transports.Channel`` (one
``connection.Connection`` per client), and
hosts a wslink ``ServerProtocol`` with its ``LinkProtocol``s, so protocols written for wslink/trame plug
in unchanged. Unlike wslink's own backends it keeps every setting per endpoint (several servers per
process), sends each publish once per client, and answers bad input with an error instead of dropping it.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from wslink.websocket import LinkProtocol, ServerProtocol

from ..core import wire
from ..core.rpc import (
    AUTHENTICATION_ERROR,
    EXCEPTION_ERROR,
    METHOD_NOT_FOUND,
    RESULT_SERIALIZE_ERROR,
    SERVER_STOPPING,
    RpcError,
    current_client_id,
    decode_request,
    invalid_params,
)
from .connection import (
    CLOSE_GOING_AWAY,
    CLOSE_POLICY,
    CLOSE_TRY_AGAIN,
    Connection,
    EndpointLimits,
    close_channel,
)
from .network_log import NetworkLog
from .transports import Channel

logger = logging.getLogger(__name__)

#: A check every request goes through before its handler: it returns the arguments to call with (maybe
#: normalized) or raises ``RpcError``. ``(method, args, kwargs) -> (args, kwargs)``.
RequestGuard = Callable[[str, list, dict], tuple[list, dict]]

#: Longest a client's read loop runs before the other tasks get a turn (seconds). Frames a client sent
#: in a burst are read without waiting, so without turns one client's flood of costly requests (renders)
#: would hold every other client's requests until it ended.
TURN = 0.005


class WslinkEndpoint:
    """Serves one ``ServerProtocol`` to the clients of any transport."""

    def __init__(
        self,
        protocol: ServerProtocol,
        limits: EndpointLimits,
        *,
        on_client_count: Callable[[int], None] | None = None,
        stop_server: Callable[[], None] | None = None,
        network_log: NetworkLog | None = None,
    ) -> None:
        self.protocol = protocol
        self.limits = limits
        self.connections: dict[str, Connection] = {}
        self.on_client_count = on_client_count
        self.network_log = network_log
        self._stop_server = stop_server or (lambda: None)
        self._functions: dict[str, tuple[Any, Callable[..., Any]]] | None = None
        self._signatures: dict[Callable[..., Any], inspect.Signature] = {}
        self._closing = False
        #: Checks every request goes through (e.g. ``vtkweb.guard_of``), in order.
        self.guards: list[RequestGuard] = []
        #: Topics whose messages only matter until a newer one of the same key (topic → key of a message,
        #: None for a message that is never replaced): see ``Connection.send_newest``.
        self.newest_only: dict[str, Callable[[Any], Hashable | None]] = {}
        #: Requests where only the newest matters while they wait, e.g. a drag's mouse moves (method →
        #: key of a request's ``(args, kwargs)``, None for one handled in order): see ``_hold``.
        self.coalescing: dict[str, Callable[[list, dict], Hashable | None]] = {}
        # Misbehaving clients are logged (to this module's logger, at INFO: a notebook cell is no place
        # for a stranger's failed handshakes), at most once a minute per kind of trouble.
        self.troubles = Throttle(interval=60)

    # -- RPC table ---------------------------------------------------------------------------------

    def _protocol_objects(self) -> list[Any]:
        return [*self.protocol.getLinkProtocols(), self.protocol]

    def bind_protocols(self) -> None:
        """Give every protocol object its publish hooks and (re)build the method table."""
        for obj in self._protocol_objects():
            obj.init(self.publish, _add_attachment, self._stop_server)
            if isinstance(obj, LinkProtocol):
                obj.coreServer = self.protocol
        self._functions = None

    @property
    def functions(self) -> dict[str, tuple[Any, Callable[..., Any]]]:
        if self._functions is None:
            table: dict[str, tuple[Any, Callable[..., Any]]] = {}
            # The server protocol is scanned last so its URIs win, as in wslink.
            for obj in self._protocol_objects():
                for _, member in inspect.getmembers(type(obj), callable):
                    for info in getattr(member, "_wslinkuris", ()):
                        if "uri" in info:
                            table[info["uri"]] = (obj, member)
                            break
            self._functions = table
        return self._functions

    def _signature(self, func: Callable[..., Any]) -> inspect.Signature:
        signature = self._signatures.get(func)
        if signature is None:
            signature = self._signatures[func] = inspect.signature(func)
        return signature

    def lookup(self, method: str) -> Callable[..., Any] | None:
        """The bound handler of an RPC name, for in-process calls (``Server.protocol_call``)."""
        entry = self.functions.get(method)
        if entry is None:
            return None
        obj, func = entry
        handler = func.__get__(obj)
        if not self.guards:
            return handler

        def guarded(*args: Any, **kwargs: Any) -> Any:
            args_list, kwargs = self._guard(method, list(args), kwargs)
            return handler(*args_list, **kwargs)

        return guarded

    def _guard(self, method: str, args: list, kwargs: dict) -> tuple[list, dict]:
        for guard in self.guards:
            args, kwargs = guard(method, args, kwargs)
        return args, kwargs

    # -- connections -------------------------------------------------------------------------------

    @property
    def client_count(self) -> int:
        return len(self.connections)

    @property
    def accepting(self) -> bool:
        """False once the server is stopping: transports refuse new clients."""
        return not self._closing

    async def serve(self, channel: Channel, *, trusted: bool = False) -> None:
        """Serve one client until its channel closes (or the server stops).

        ``trusted``: the transport already knows the peer is entitled to the server (a comm of this
        kernel's own front end), so its ``wslink.hello`` is accepted without the secret.
        """
        waiting = sum(1 for c in self.connections.values() if not c.authenticated)
        if waiting >= self.limits.max_unauthenticated:
            self._trouble(
                "crowd",
                "refused a connection from %s: %d connections are already waiting to authenticate",
                channel.peer,
                waiting,
            )
            await close_channel(channel, CLOSE_TRY_AGAIN, "too many unauthenticated connections")
            return
        connection = Connection(uuid.uuid4().hex, channel, self.limits, trusted)
        connection.hello_deadline = asyncio.get_running_loop().call_later(
            self.limits.hello_timeout, self._hello_expired, connection
        )
        self.connections[connection.client_id] = connection
        self._notify_count()
        self._call_hooks("onConnect", channel.context, connection.client_id)
        try:
            await self._receive(connection)
        finally:
            del self.connections[connection.client_id]
            await connection.finish()
            self._call_hooks("onClose", connection.client_id)
            self._notify_count()

    def _hello_expired(self, connection: Connection) -> None:
        if connection.authenticated or connection.closed:
            return
        self._trouble(
            "hello-timeout",
            "closed %s: no wslink.hello within %g s",
            connection.channel.peer,
            self.limits.hello_timeout,
        )
        task = asyncio.ensure_future(connection.close(CLOSE_POLICY, "authentication timeout"))
        connection.tasks.add(task)
        task.add_done_callback(connection.tasks.discard)

    def _trouble(self, kind: str, message: str, *args: Any) -> None:
        """Log a client's misbehaviour, throttled per kind."""
        suppressed = self.troubles.allow(kind)
        if suppressed is not None:
            note = f" ({suppressed} more like this in the last minute)" if suppressed else ""
            logger.info(message + note, *args)

    def _notify_count(self) -> None:
        if self.on_client_count is not None:
            self.on_client_count(len(self.connections))

    def _call_hooks(self, name: str, *args: Any) -> None:
        for obj in self._protocol_objects():
            hook = getattr(obj, name, None)
            if hook is None:
                continue
            try:
                hook(*args)
            except Exception:
                logger.exception("%s.%s failed", type(obj).__name__, name)

    async def _receive(self, connection: Connection) -> None:
        channel = connection.channel
        turn = time.monotonic()
        while True:
            if time.monotonic() - turn > TURN:
                await asyncio.sleep(0)  # the other clients (and this one's held requests) go now
                turn = time.monotonic()
            try:
                frame = await channel.receive()
                if frame is None:
                    return
                if len(frame) > self.limits.largest_frame:
                    raise wire.FrameError(
                        f"frame of {len(frame)} bytes exceeds the {self.limits.largest_frame}-byte frame limit",
                        wire.CLOSE_MESSAGE_TOO_BIG,
                    )
                payload = connection.reassembler.feed(frame)
                if payload is None:
                    continue
                request = decode_request(payload)
            except wire.FrameError as error:
                self._trouble("frame", "closed client %s (%s): %s", connection.client_id, channel.peer, error)
                await connection.close(error.close_code, str(error))
                return
            if isinstance(request, RpcError):
                rpc_id = request.data
                if isinstance(rpc_id, str):
                    self.reply_error(connection, rpc_id, request.code, request.message)
                else:
                    self._trouble("no-id", "ignored a message without an id from %s: %s", connection.client_id, request)
                continue
            if self._hold(connection, request):
                continue
            await self._release_held(connection)  # what waits was received first: it goes first
            await self._handle_request(connection, *request)
            if connection.too_slow:
                self._trouble(
                    "slow",
                    "closed client %s (%s): it does not read what it is sent",
                    connection.client_id,
                    channel.peer,
                )
                await connection.finish()  # nothing more can reach it: no backlog, no closing handshake
                channel.abort()
                return

    def _hold(self, connection: Connection, request: tuple[str, str, list, dict]) -> bool:
        """Keep a coalescing request until the frames already received from its client are read (the read
        loop does not yield while some are buffered). A newer request of the same key takes its place and
        the older one is answered ``None`` unhandled: a drag at 1 000 events/s costs one render per frame
        the kernel can make, not one per event, and the view never lags behind the mouse."""
        _, method, args, kwargs = request
        key_of = self.coalescing.get(method)
        if key_of is None or not connection.authenticated or self._closing:
            return False
        try:
            key = key_of(args, kwargs)
        except Exception:  # a malformed request: handled (and refused) like any other
            key = None
        if key is None:
            return False
        older = connection.held.pop(key, None)
        if older is not None:
            connection.coalesced += 1
            self.reply(connection, older[0], None, method)
        connection.held[key] = request
        if older is None and len(connection.held) == 1:
            task = asyncio.ensure_future(self._release_held(connection))
            connection.tasks.add(task)
            task.add_done_callback(connection.tasks.discard)
        return True

    async def _release_held(self, connection: Connection) -> None:
        while connection.held:
            key = next(iter(connection.held))
            await self._handle_request(connection, *connection.held.pop(key))

    async def _handle_request(self, connection: Connection, rpc_id: str, method: str, args: list, kwargs: dict) -> None:
        if self.network_log is not None and method != "wslink.hello":
            self.network_log.record("client→server", connection.client_id, method, args)
        if rpc_id.startswith("system:"):
            await self._handle_system(connection, rpc_id, method, args)
            return
        if not connection.authenticated:
            self.reply_error(connection, rpc_id, AUTHENTICATION_ERROR, "Unauthorized: Skip message processing")
            return
        if self._closing:
            self.reply_error(connection, rpc_id, SERVER_STOPPING, "Server stopping: the request was not handled")
            return
        entry = self.functions.get(method)
        if entry is None:
            self.reply_error(connection, rpc_id, METHOD_NOT_FOUND, "Unregistered method called", method)
            return
        obj, func = entry
        token = current_client_id.set(connection.client_id)
        try:
            try:
                self._signature(func).bind(obj, *args, **kwargs)
            except TypeError as error:
                raise invalid_params(f"{method}: {error}") from None
            if self.guards:
                args, kwargs = self._guard(method, args, kwargs)
            result = func(obj, *args, **kwargs)
        except Exception as error:
            self._reply_exception(connection, rpc_id, method, error)
            return
        finally:
            current_client_id.reset(token)
        if inspect.isawaitable(result):
            # Async handlers run concurrently so a long trigger does not block this client's next calls.
            await connection.inflight.acquire()
            task = asyncio.ensure_future(self._await_result(connection, rpc_id, method, result))
            connection.tasks.add(task)
            task.add_done_callback(connection.tasks.discard)
        else:
            self.reply(connection, rpc_id, result, method)

    async def _await_result(self, connection: Connection, rpc_id: str, method: str, awaitable: Any) -> None:
        current_client_id.set(connection.client_id)
        try:
            result = await awaitable
        except asyncio.CancelledError:
            if self._closing:  # stopped while it ran: say so before the connection closes
                self.reply_error(connection, rpc_id, SERVER_STOPPING, "Server stopping: the request was cancelled")
            raise
        except Exception as error:
            self._reply_exception(connection, rpc_id, method, error)
        else:
            self.reply(connection, rpc_id, result, method)
        finally:
            connection.inflight.release()

    def _reply_exception(self, connection: Connection, rpc_id: str, method: str, error: Exception) -> None:
        if isinstance(error, RpcError):
            self._trouble(f"rpc {error.code}", "%s from client %s: %s", method, connection.client_id, error.message)
            self.reply_error(connection, rpc_id, error.code, error.message, error.data)
            return
        # The traceback goes to the log (the notebook shows it), never to a client.
        logger.error("RPC %s raised %r\n%s", method, error, traceback.format_exc())
        emitter = getattr(self.protocol, "log_emitter", None)
        if emitter is not None and emitter.has("exception"):
            emitter.exception(error)
        data = {"method": method, "exception": _describe(error)}
        self.reply_error(connection, rpc_id, EXCEPTION_ERROR, "Exception raised", data)

    async def _handle_system(self, connection: Connection, rpc_id: str, method: str, args: list) -> None:
        if method != "wslink.hello":
            self.reply_error(connection, rpc_id, METHOD_NOT_FOUND, "Unknown system method called")
            return
        token = args[0].get("secret") if args and isinstance(args[0], dict) else None
        if not connection.trusted and (
            not isinstance(token, str) or not await self._validate_token(token, connection.client_id)
        ):
            self._trouble("auth", "client %s (%s) failed authentication", connection.client_id, connection.channel.peer)
            self.reply_error(connection, rpc_id, AUTHENTICATION_ERROR, "Authentication failed")
            return
        connection.authenticated = True
        if connection.hello_deadline is not None:
            connection.hello_deadline.cancel()
        connection.reassembler.max_message_size = self.limits.max_message_size
        self.reply(
            connection, rpc_id, {"clientID": f"c{connection.client_id}", "maxMsgSize": self.limits.max_frame_size}
        )

    async def _validate_token(self, token: str, client_id: str) -> bool:
        validators = [obj.validateToken for obj in self._protocol_objects() if hasattr(obj, "validateToken")]
        if validators:
            for validate in validators:
                outcome = validate(token, client_id)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
                if not outcome:
                    return False
            return True
        secret = getattr(self.protocol, "secret", None)
        # A protocol without a secret accepts nobody (wslink would accept a null secret). Compared as
        # bytes: compare_digest refuses str that is not ASCII.
        return isinstance(secret, str) and bool(secret) and hmac.compare_digest(token.encode(), secret.encode())

    # -- sending -----------------------------------------------------------------------------------

    def reply(self, connection: Connection, rpc_id: str, result: Any, method: str = "") -> None:
        try:
            packed = wire.pack(result)
        except TypeError as error:
            logger.error("Result of %s cannot be serialized: %s", method or rpc_id, error)
            self.reply_error(connection, rpc_id, RESULT_SERIALIZE_ERROR, "Method result cannot be serialized", method)
            return
        connection.send(wire.pack_envelope(rpc_id, packed))

    def reply_error(self, connection: Connection, rpc_id: str, code: int, message: str, data: Any = None) -> None:
        error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            error["data"] = data
        envelope = {"wslink": "1.0", "id": rpc_id, "error": error}
        try:
            packed = wire.pack(envelope)
        except TypeError:
            del error["data"]
            packed = wire.pack(envelope)
        connection.send(packed)

    def _targets(self, client_id: str | None, skip_client_id: str | None) -> list[Connection]:
        if client_id is not None:
            connection = self.connections.get(client_id)
            return [connection] if connection is not None and connection.authenticated else []
        return [c for c in self.connections.values() if c.authenticated and c.client_id != skip_client_id]

    def publish(
        self, topic: str, data: Any, client_id: str | None = None, skip_last_active_client: bool = False
    ) -> None:
        """wslink's ``publish``: send ``data`` on ``topic`` to every authenticated client, once each."""
        skip = current_client_id.get() if skip_last_active_client else None
        key_of = self.newest_only.get(topic)
        key = key_of(data) if key_of is not None else None
        if key is None:
            self.publish_packed(topic, wire.pack(data), client_id, skip)
            return
        packed = wire.pack(data)
        if self.network_log is not None:
            self.network_log.record("server→client", client_id or "*", topic, packed)
        payload = wire.pack_envelope(f"publish:{topic}:0", packed)
        for connection in self._targets(client_id, skip):
            if not connection.send_newest((topic, key), payload) and connection.too_slow:
                self._drop_slow(connection)

    def publish_packed(
        self, topic: str, packed_data: bytes, client_id: str | None = None, skip_client_id: str | None = None
    ) -> int:
        """Publish an already-encoded payload; returns how many clients it was sent to."""
        targets = self._targets(client_id, skip_client_id)
        if self.network_log is not None:
            self.network_log.record("server→client", client_id or "*", topic, packed_data)
        if targets:
            payload = wire.pack_envelope(f"publish:{topic}:0", packed_data)
            for connection in targets:
                if not connection.send(payload) and connection.too_slow:
                    self._drop_slow(connection)
        return len(targets)

    def _drop_slow(self, connection: Connection) -> None:
        """Disconnect a client whose backlog passed the limit (its page reconnects and resynchronises)."""
        if connection.dropping:
            return
        connection.dropping = True
        self._trouble(
            "slow",
            "closed client %s (%s): it does not read what it is sent",
            connection.client_id,
            connection.channel.peer,
        )

        async def drop() -> None:
            await connection.finish()
            connection.channel.abort()  # a closing handshake would wait on the same full buffers

        task = asyncio.ensure_future(drop())
        connection.tasks.add(task)
        task.add_done_callback(connection.tasks.discard)

    async def drain(self) -> None:
        """Wait until every message queued so far has been written to its channel."""
        await asyncio.gather(*(c.drain() for c in list(self.connections.values())))

    async def close_all(self) -> None:
        """Disconnect every client (server shutdown).

        Requests still running are cancelled and answered with a "server stopping" error, requests read
        from now on get that error too, and every answer is written before the close frame.
        """
        self._closing = True
        connections = list(self.connections.values())
        running = [task for connection in connections for task in connection.tasks]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await asyncio.gather(
            *(c.close(CLOSE_GOING_AWAY, "Server shutdown") for c in connections), return_exceptions=True
        )


class Throttle:
    """At most one event per kind and interval; counts what it held back."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, kind: str) -> int | None:
        """None to stay silent; else how many events of this kind were held back since the last one."""
        now = time.monotonic()
        if now - self._last.get(kind, -self.interval) < self.interval:
            self._held[kind] = self._held.get(kind, 0) + 1
            return None
        self._last[kind] = now
        return self._held.pop(kind, 0)


def _describe(error: BaseException) -> str:
    """What a client may know of a server error: its type and message, cut short."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 500 else text[:497] + "..."


def _add_attachment(payload: Any) -> Any:
    """wslink 1.x attachments are gone in 2.x: binary values travel inline."""
    return payload
