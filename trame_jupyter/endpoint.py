"""The wslink endpoint of one server: client connections, authentication, RPC dispatch, publishes.

It speaks wslink 2.x (``wire.py`` frames, ``rpc.py`` envelopes) over any ``transports.Channel``, and
hosts a wslink ``ServerProtocol`` with its ``LinkProtocol``s, so protocols written for wslink/trame plug
in unchanged. Unlike wslink's own backends it keeps every setting per endpoint (several servers per
process), sends each publish once per client, and answers bad input with an error instead of dropping it.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wslink.websocket import LinkProtocol, ServerProtocol

from . import wire
from .network_log import NetworkLog
from .rpc import (
    AUTHENTICATION_ERROR,
    EXCEPTION_ERROR,
    METHOD_NOT_FOUND,
    RESULT_SERIALIZE_ERROR,
    RpcError,
    current_client_id,
    decode_request,
    invalid_params,
)
from .transports import Channel

logger = logging.getLogger(__name__)

#: Close code of a server going away (RFC 6455), sent to every client when the server stops.
CLOSE_GOING_AWAY = 1001
#: Room for the chunk header and the msgpack envelope around the largest chunk a peer may send.
FRAME_MARGIN = 4096


@dataclass(frozen=True)
class EndpointLimits:
    """Size limits of one endpoint (bytes)."""

    max_message_size: int  # largest message a client may send once authenticated
    max_frame_size: int  # chunk size in both directions, announced to clients as ``maxMsgSize``
    pre_auth_message_size: int = 512  # largest message before a successful ``wslink.hello``
    max_inflight: int = 64  # async requests one client may have running at once

    @property
    def largest_frame(self) -> int:
        """The largest frame a transport should accept from a client."""
        return self.max_frame_size + FRAME_MARGIN


class Connection:
    """One client: its channel, reassembler, authentication and an ordered outbox."""

    def __init__(self, client_id: str, channel: Channel, limits: EndpointLimits) -> None:
        self.client_id = client_id
        self.channel = channel
        self.authenticated = False
        self.closed = False
        self.reassembler = wire.Reassembler(limits.pre_auth_message_size)
        self.inflight = asyncio.Semaphore(limits.max_inflight)
        self.tasks: set[asyncio.Task[Any]] = set()
        self._frame_size = limits.max_frame_size
        self._outbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._writer = asyncio.ensure_future(self._write_loop())

    def send(self, payload: bytes) -> None:
        """Queue an encoded message; frames leave in the order messages were queued."""
        if self.closed:
            return
        for frame in wire.chunk(payload, self._frame_size):
            self._outbox.put_nowait(frame)

    async def _write_loop(self) -> None:
        while True:
            frame = await self._outbox.get()
            try:
                if frame is None:
                    return
                await self.channel.send(frame)
            except ConnectionError:  # peer went away; the reader ends the connection
                self.closed = True
                return
            finally:
                self._outbox.task_done()

    async def drain(self) -> None:
        """Wait until everything queued so far has been written (or the writer stopped)."""
        if not self._writer.done():
            waiter = asyncio.ensure_future(self._outbox.join())
            await asyncio.wait([waiter, self._writer], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()

    async def close(self, code: int, message: str) -> None:
        """Close after what is queued has been written."""
        self._outbox.put_nowait(None)
        await asyncio.wait([self._writer], timeout=5)
        self.closed = True
        await self.channel.close(code, message)

    async def finish(self) -> None:
        self.closed = True
        self._outbox.put_nowait(None)
        if not self._writer.done():
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)


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
        return func.__get__(obj)

    # -- connections -------------------------------------------------------------------------------

    @property
    def client_count(self) -> int:
        return len(self.connections)

    @property
    def accepting(self) -> bool:
        """False once the server is stopping: transports refuse new clients."""
        return not self._closing

    async def serve(self, channel: Channel) -> None:
        """Serve one client until its channel closes (or the server stops)."""
        connection = Connection(uuid.uuid4().hex, channel, self.limits)
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
        while True:
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
                logger.warning("Closing client %s (%s): %s", connection.client_id, channel.peer, error)
                await connection.close(error.close_code, str(error))
                return
            if isinstance(request, RpcError):
                rpc_id = request.data
                if isinstance(rpc_id, str):
                    self.reply_error(connection, rpc_id, request.code, request.message)
                else:
                    logger.warning("Ignoring a message without an id from %s: %s", connection.client_id, request)
                continue
            await self._handle_request(connection, *request)

    async def _handle_request(self, connection: Connection, rpc_id: str, method: str, args: list, kwargs: dict) -> None:
        if self.network_log is not None and method != "wslink.hello":
            self.network_log.record("client→server", connection.client_id, method, args)
        if rpc_id.startswith("system:"):
            await self._handle_system(connection, rpc_id, method, args)
            return
        if not connection.authenticated:
            self.reply_error(connection, rpc_id, AUTHENTICATION_ERROR, "Unauthorized: Skip message processing")
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
            raise
        except Exception as error:
            self._reply_exception(connection, rpc_id, method, error)
        else:
            self.reply(connection, rpc_id, result, method)
        finally:
            connection.inflight.release()

    def _reply_exception(self, connection: Connection, rpc_id: str, method: str, error: Exception) -> None:
        if isinstance(error, RpcError):
            logger.warning("%s from client %s: %s", method, connection.client_id, error.message)
            self.reply_error(connection, rpc_id, error.code, error.message, error.data)
            return
        trace = traceback.format_exc()
        logger.error("RPC %s raised %r\n%s", method, error, trace)
        emitter = getattr(self.protocol, "log_emitter", None)
        if emitter is not None and emitter.has("exception"):
            emitter.exception(error)
        data = {"method": method, "exception": repr(error), "trace": trace}
        self.reply_error(connection, rpc_id, EXCEPTION_ERROR, "Exception raised", data)

    async def _handle_system(self, connection: Connection, rpc_id: str, method: str, args: list) -> None:
        if method != "wslink.hello":
            self.reply_error(connection, rpc_id, METHOD_NOT_FOUND, "Unknown system method called")
            return
        token = args[0].get("secret") if args and isinstance(args[0], dict) else None
        if not isinstance(token, str) or not await self._validate_token(token, connection.client_id):
            logger.warning("Client %s failed authentication", connection.client_id)
            self.reply_error(connection, rpc_id, AUTHENTICATION_ERROR, "Authentication failed")
            return
        connection.authenticated = True
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
        # A protocol without a secret accepts nobody (wslink would accept a null secret).
        return isinstance(secret, str) and bool(secret) and hmac.compare_digest(token, secret)

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
        self.publish_packed(
            topic, wire.pack(data), client_id, current_client_id.get() if skip_last_active_client else None
        )

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
                connection.send(payload)
        return len(targets)

    async def drain(self) -> None:
        """Wait until every message queued so far has been written to its channel."""
        await asyncio.gather(*(c.drain() for c in list(self.connections.values())))

    async def close_all(self) -> None:
        """Disconnect every client (server shutdown) and cancel their running requests."""
        self._closing = True
        connections = list(self.connections.values())
        for connection in connections:
            for task in list(connection.tasks):
                task.cancel()
        await asyncio.gather(
            *(c.close(CLOSE_GOING_AWAY, "Server shutdown") for c in connections), return_exceptions=True
        )


def _add_attachment(payload: Any) -> Any:
    """wslink 1.x attachments are gone in 2.x: binary values travel inline."""
    return payload
