"""A small evaluator for the JavaScript expressions of templates, for static snapshots.

It understands the expressions templates commonly use — names, member and index access, literals,
arithmetic, comparisons, ``!``/``&&``/``||``/``??``, the ternary operator, and a fixed list of calls
(``utils.url(bytes, type)``, ``JSON.stringify``, ``Math.*``, ``String``, ``Number`` and a few string and
array methods) — with JavaScript's truthiness and string conversion. Anything else raises
``UnsupportedExpressionError``: a snapshot then leaves that part out rather than guessing. Nothing is ever executed.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

#: Largest binary value a snapshot embeds as a data URL (bytes).
MAX_EMBEDDED_BYTES = 2 * 1024 * 1024

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_$][\w$]*)
      | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||\?\?|\?\.|[-+*/%<>!?:.,()\[\]{}])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


class UnsupportedExpressionError(ValueError):
    """The expression uses something the snapshot evaluator does not know."""


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


def truthy(value: Any) -> bool:
    """JavaScript truthiness: empty lists and objects are true, 0/''/null/NaN are false."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def js_string(value: Any) -> str:
    """``String(value)`` as JavaScript would write it."""
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return ",".join(str(b) for b in value[:64])
    return "[object Object]"


def display_string(value: Any) -> str:
    """What ``{{ value }}`` shows (Vue's toDisplayString): null/undefined are empty, objects are JSON."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, indent=2, default=lambda v: js_string(v), ensure_ascii=False)
    return js_string(value)


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


def _number(value: float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def data_url(value: Any, mime: str = "application/octet-stream") -> str:
    """``utils.url(bytes, type)`` of the page, as a data URL a static document can hold."""
    if isinstance(value, dict) and "bytes" in value:  # a numpy array sent as {bytes, dtype, shape}
        value = value["bytes"]
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise UnsupportedExpressionError("utils.url of a value that is not bytes")
    raw = bytes(value)
    if len(raw) > MAX_EMBEDDED_BYTES:
        raise UnsupportedExpressionError("value too large to embed in a snapshot")
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def _math(name: str) -> Callable[..., Any]:
    functions: dict[str, Callable[..., Any]] = {
        "round": lambda x: math.floor(_to_number(x) + 0.5),
        "floor": lambda x: math.floor(_to_number(x)),
        "ceil": lambda x: math.ceil(_to_number(x)),
        "abs": lambda x: abs(_to_number(x)),
        "min": lambda *xs: min(_to_number(x) for x in xs),
        "max": lambda *xs: max(_to_number(x) for x in xs),
        "sqrt": lambda x: math.sqrt(_to_number(x)),
    }
    if name not in functions:
        raise UnsupportedExpressionError(f"Math.{name}")
    return functions[name]


class _Namespace:
    """A global object whose members are known functions (``utils``, ``JSON``, ``Math``)."""

    def __init__(self, members: Callable[[str], Any]) -> None:
        self.member = members


GLOBALS: dict[str, Any] = {
    "utils": _Namespace(lambda name: {"url": data_url}.get(name) or _raise(f"utils.{name}")),
    "JSON": _Namespace(
        lambda name: {"stringify": lambda v, *_: json.dumps(v, default=js_string)}.get(name) or _raise(f"JSON.{name}")
    ),
    "Math": _Namespace(_math),
    "String": js_string,
    "Number": lambda v=0: _number(_to_number(v)),
    "Boolean": truthy,
    "true": True,
    "false": False,
    "null": None,
    "undefined": UNDEFINED,
    "NaN": math.nan,
    "Infinity": math.inf,
}


def _raise(message: str) -> Any:
    raise UnsupportedExpressionError(message)


def _method(target: Any, name: str) -> Callable[..., Any]:
    """The few methods of strings, numbers and arrays templates use for display."""
    if isinstance(target, str):
        methods: dict[str, Callable[..., Any]] = {
            "toUpperCase": target.upper,
            "toLowerCase": target.lower,
            "trim": target.strip,
            "includes": lambda s: js_string(s) in target,
            "startsWith": lambda s: target.startswith(js_string(s)),
            "endsWith": lambda s: target.endswith(js_string(s)),
            "slice": lambda a=0, b=None: target[int(a) : None if b is None else int(b)],
            "toString": lambda: target,
        }
    elif isinstance(target, (int, float)) and not isinstance(target, bool):
        methods = {
            "toFixed": lambda digits=0: f"{target:.{_fraction_digits(digits)}f}",
            "toString": lambda: js_string(target),
        }
    elif isinstance(target, (list, tuple)):
        methods = {
            "join": lambda sep=",": js_string(sep).join(display_string(v) for v in target),
            "includes": lambda v: v in target,
            "slice": lambda a=0, b=None: list(target[int(a) : None if b is None else int(b)]),
            "indexOf": lambda v: target.index(v) if v in target else -1,
        }
    else:
        methods = {}
    if name not in methods:
        raise UnsupportedExpressionError(f"method {name} of {type(target).__name__}")
    return methods[name]


def _fraction_digits(digits: Any) -> int:
    """``toFixed``'s argument: JavaScript accepts 0 to 100 (and so bounds the string it builds)."""
    value = _to_number(digits)
    if not 0 <= value <= 100:
        raise UnsupportedExpressionError(f"toFixed({js_string(digits)})")
    return int(value)


def _member(target: Any, name: Any) -> Any:
    if isinstance(target, _Namespace):
        return target.member(name)
    if target is None or target is UNDEFINED:
        raise UnsupportedExpressionError(f"property {name!r} of {js_string(target)}")
    if name == "length" and isinstance(target, (str, list, tuple, bytes)):
        return len(target)
    if isinstance(target, Mapping):
        return target.get(name, UNDEFINED)
    if isinstance(target, (list, tuple, str)):
        try:
            index = int(name) if not isinstance(name, bool) else -1
        except (TypeError, ValueError):
            return UNDEFINED
        return target[index] if 0 <= index < len(target) else UNDEFINED
    return UNDEFINED


class _Parser:
    """Recursive descent over the tokens; evaluates as it parses (expressions are tiny)."""

    def __init__(self, source: str, scope: Mapping[str, Any]) -> None:
        self.tokens = self._tokenize(source)
        self.position = 0
        self.scope = scope

    @staticmethod
    def _tokenize(source: str) -> list[tuple[str, str]]:
        tokens = []
        position = 0
        while position < len(source):
            if source[position:].strip() == "":
                break
            match = _TOKEN.match(source, position)
            if match is None or match.end() == position:
                raise UnsupportedExpressionError(f"cannot read {source[position : position + 10]!r}")
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise UnsupportedExpressionError("unexpected end of expression")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise UnsupportedExpressionError(f"expected {expected!r}, found {token[1]!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.ternary()
        if self.position != len(self.tokens):
            raise UnsupportedExpressionError(f"unexpected {self.peek()!r}")
        return value

    def ternary(self) -> Any:
        condition = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            when_true = self.ternary()
            self.take(":")
            when_false = self.ternary()
            return when_true if truthy(condition) else when_false
        return condition

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||", "??"),
        ("&&",),
        ("===", "!==", "==", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            operator = self.take()[1]
            right = self.binary(level + 1)
            left = self._apply(operator, left, right)
        return left

    @staticmethod
    def _apply(operator: str, left: Any, right: Any) -> Any:
        if operator == "||":
            return left if truthy(left) else right
        if operator == "??":
            return right if left is None or left is UNDEFINED else left
        if operator == "&&":
            return right if truthy(left) else left
        if operator in ("===", "=="):
            return left == right
        if operator in ("!==", "!="):
            return left != right
        if operator == "+" and (isinstance(left, str) or isinstance(right, str)):
            return js_string(left) + js_string(right)
        a, b = _to_number(left), _to_number(right)
        if operator == "+":
            return _number(a + b)
        if operator == "-":
            return _number(a - b)
        if operator == "*":
            return _number(a * b)
        if operator == "/":
            return _number(a / b) if b else (math.nan if a == 0 else math.copysign(math.inf, a))
        if operator == "%":
            return _number(math.fmod(a, b)) if b else math.nan
        comparisons = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}
        if isinstance(left, str) and isinstance(right, str):
            comparisons = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}
        return comparisons[operator]

    def unary(self) -> Any:
        token = self.peek()
        if token == "!":
            self.take()
            return not truthy(self.unary())
        if token in ("-", "+"):
            self.take()
            value = _to_number(self.unary())
            return _number(-value if token == "-" else value)
        return self.postfix()

    def postfix(self) -> Any:
        value, this = self.primary(), None
        while True:
            token = self.peek()
            if token in (".", "?."):
                self.take()
                kind, name = self.take()
                if kind != "name":
                    raise UnsupportedExpressionError(f"member {name!r}")
                if token == "?." and (value is None or value is UNDEFINED):
                    return UNDEFINED
                if self.peek() == "(":
                    this, value = value, name  # a method call: resolved at the parentheses
                else:
                    value = _member(value, name)
            elif token == "[":
                self.take()
                key = self.ternary()
                self.take("]")
                value = _member(value, key if isinstance(key, str) else _number(_to_number(key)))
            elif token == "(":
                self.take()
                arguments = self._arguments(")")
                if this is not None:
                    function = _member(this, value) if isinstance(this, _Namespace) else _method(this, value)
                    this = None
                else:
                    function = value
                if not callable(function):
                    raise UnsupportedExpressionError("call of something that is not a known function")
                value = function(*arguments)
            else:
                if this is not None:  # "a.b" followed by no call: it was a plain member
                    value = _member(this, value)
                return value

    def _arguments(self, closing: str) -> list[Any]:
        values = []
        while self.peek() != closing:
            values.append(self.ternary())
            if self.peek() == ",":
                self.take()
        self.take(closing)
        return values

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "number":
            return _number(float(text)) if any(c in text for c in ".eE") else int(text)
        if kind == "string":
            return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])
        if kind == "name":
            if text in self.scope:
                return self.scope[text]
            if text in GLOBALS:
                return GLOBALS[text]
            return UNDEFINED  # an unknown key reads as undefined, as in the page
        if text == "(":
            value = self.ternary()
            self.take(")")
            return value
        if text == "[":
            return self._arguments("]")
        if text == "{":
            result = {}
            while self.peek() != "}":
                key_kind, key = self.take()
                key = key[1:-1] if key_kind == "string" else key
                self.take(":")
                result[key] = self.ternary()
                if self.peek() == ",":
                    self.take()
            self.take("}")
            return result
        raise UnsupportedExpressionError(f"unexpected {text!r}")


def evaluate(expression: str, scope: Mapping[str, Any]) -> Any:
    """The value of a template expression in ``scope`` (state keys and loop variables)."""
    try:
        return _Parser(expression, scope).parse()
    except UnsupportedExpressionError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as error:
        # e.g. ``'a'.slice('x')``, ``Math.sqrt(-1)``, deeply nested parentheses: that part is left out,
        # the rest of the snapshot still renders.
        raise UnsupportedExpressionError(f"cannot evaluate: {error}") from error
