"""wslink's RPC envelope: error codes, the error RPC handlers raise, request decoding, the calling client.

Transport-free: ``endpoint.py`` dispatches what this decodes, ``protocol.py`` raises what this defines,
and neither needs the other for it.
"""

from __future__ import annotations

import contextvars
from typing import Any

from . import wire

# Error codes of wslink (JSON-RPC style), plus the standard "invalid request/params" ones.
AUTHENTICATION_ERROR = -32000
EXCEPTION_ERROR = -32001
RESULT_SERIALIZE_ERROR = -32002
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602

SERVER_STOPPING = -32003  # ours: the server stopped before it could handle the request

#: Deepest nesting of lists and maps accepted in a request's arguments (msgpack itself stops near 1024,
#: and Python code walking a deeper value would hit the recursion limit).
MAX_NESTING = 100

#: The client that sent the request being handled (wslink's "last active client", but per task).
current_client_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_client_id", default=None)


class RpcError(Exception):
    """Raise from an RPC handler to answer with a specific error code and a clear message."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


Request = tuple[str, str, list, dict]


def decode_request(payload: bytes) -> Request | RpcError:
    """Parse a request envelope into ``(id, method, args, kwargs)``, or describe what is wrong with it.

    A returned ``RpcError`` carries the request's id in ``data`` when it had a usable one (so the
    client can be answered); bytes that are not msgpack at all raise ``wire.FrameError``.
    """
    try:
        message = wire.unpack(payload)
    except Exception as error:
        raise wire.FrameError(f"message does not decode as msgpack ({type(error).__name__})") from None
    if not isinstance(message, dict):
        return RpcError(INVALID_REQUEST, f"a request must be a map, not {type(message).__name__}")
    rpc_id = message.get("id")
    if not isinstance(rpc_id, str):
        return RpcError(INVALID_REQUEST, "a request needs a string 'id'")
    method = message.get("method")
    if not isinstance(method, str):
        return RpcError(INVALID_REQUEST, "a request needs a string 'method'", rpc_id)
    args = message.get("args", [])
    kwargs = message.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        return RpcError(INVALID_REQUEST, f"{method}: 'args' must be a list and 'kwargs' a map of names", rpc_id)
    if wire.nesting_exceeds(args, MAX_NESTING) or wire.nesting_exceeds(kwargs, MAX_NESTING):
        return RpcError(INVALID_PARAMS, f"{method}: arguments nest deeper than {MAX_NESTING} levels", rpc_id)
    return rpc_id, method, args, kwargs
