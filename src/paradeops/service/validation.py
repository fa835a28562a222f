"""422 answers that never echo the input, and JSON that is refused before it can break one.

FastAPI's own 422 answer carries each error's ``input``: a 60 kB reason came
back in full, and a value JSON cannot carry (``1e400`` read as infinity,
``NaN``, a lone surrogate ``"\\ud800"``) made the answer itself fail, a 500
with a logged traceback per request. Here:

* :func:`located` turns pydantic's errors into ``{"loc", "msg", "type"}``
  (FastAPI's documented shape) with a message in plain words that names the
  field and the rule but never the value; locations are the field names, cut
  short and with anything unprintable escaped (a key of the client's is text
  of the client's);
* :class:`StrictJson` refuses, with the same 422 shape, a JSON body holding a
  non-finite number or a lone surrogate anywhere (neither can be stored or
  sent back), before any route or model sees it. It sits inside the check-in
  fast path, which only takes bodies that validate as :class:`CheckinIn`
  (whose fields are all patterns and dates), so the hot path is not slowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paradeops.service.limits import is_json, is_upload, replay

#: The longest field name or message shown back (a key is the client's text).
MAX_NAME = 40
MAX_MESSAGE = 300

_ID_RULE = "use letters, digits, '-', '_' or '.', starting with a letter or digit"


def _ctx(err: Mapping[str, Any], key: str) -> Any:
    return (err.get("ctx") or {}).get(key)


def _n(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _too_short(e: Mapping[str, Any]) -> str:
    n = _ctx(e, "min_length")
    return "must not be empty" if n == 1 else f"must have at least {n} characters"


#: Every kind an API model can produce, worded without the value.
_WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda e: "required field is missing",
    "extra_forbidden": lambda e: "unknown field",
    "string_type": lambda e: "must be text",
    "int_type": lambda e: "must be a whole number",
    "int_parsing": lambda e: "must be a whole number",
    "int_from_float": lambda e: "must be a whole number",
    "float_type": lambda e: "must be a number",
    "float_parsing": lambda e: "must be a number",
    "bool_type": lambda e: "must be true or false",
    "bool_parsing": lambda e: "must be true or false",
    "dict_type": lambda e: "must be a JSON object",
    "model_type": lambda e: "must be a JSON object",
    "model_attributes_type": lambda e: "must be a JSON object",
    "list_type": lambda e: "must be a list",
    "finite_number": lambda e: "must be a finite number",
    "greater_than": lambda e: f"must be greater than {_n(_ctx(e, 'gt'))}",
    "greater_than_equal": lambda e: f"must be {_n(_ctx(e, 'ge'))} or more",
    "less_than": lambda e: f"must be less than {_n(_ctx(e, 'lt'))}",
    "less_than_equal": lambda e: f"must be at most {_n(_ctx(e, 'le'))}",
    "string_too_short": _too_short,
    "string_too_long": lambda e: f"is longer than {_ctx(e, 'max_length')} characters",
    "string_pattern_mismatch": lambda e: f"is not in the expected form ({_ID_RULE})",
    "too_short": lambda e: f"needs at least {_ctx(e, 'min_length')} items",
    "too_long": lambda e: f"has more than {_ctx(e, 'max_length')} items",
    "literal_error": lambda e: f"must be {_ctx(e, 'expected')}",
    "enum": lambda e: f"must be {_ctx(e, 'expected')}",
    "datetime_type": lambda e: "must be a date and time, e.g. 2025-05-09T10:00:00+03:00",
    "datetime_parsing": lambda e: "is not a date and time; write e.g. 2025-05-09T10:00:00+03:00",
    "datetime_from_date_parsing": lambda e: (
        "is not a date and time; write e.g. 2025-05-09T10:00:00+03:00"
    ),
    "timezone_aware": lambda e: "has no UTC offset; add it, e.g. 2025-05-09T10:00:00+03:00",
    "date_type": lambda e: "must be a date, YYYY-MM-DD",
    "date_parsing": lambda e: "is not a date on the calendar; write YYYY-MM-DD",
    "json_invalid": lambda e: f"the body is not valid JSON ({_ctx(e, 'error')})",
    "unicode": lambda e: "holds a lone surrogate (\\ud800-\\udfff), which is not text",
}


def _own_words(err: Mapping[str, Any]) -> str:
    """Our validators' messages (they name rules, not values), without pydantic's prefix."""
    msg = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


def _printable(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, lone surrogates and controls escaped."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8").translate(_CONTROLS)


_CONTROLS = {c: f"\\x{c:02x}" for c in range(32)}


def located(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors as ``{"loc", "msg", "type"}``, naming fields and rules, never values."""
    out = []
    for err in errors:
        kind = str(err.get("type", "value_error"))
        say = _WORDS.get(kind, _own_words)
        loc = [p if isinstance(p, int) else _printable(str(p), MAX_NAME) for p in err["loc"]]
        out.append({"loc": loc, "msg": _printable(say(err), MAX_MESSAGE), "type": kind})
    return out


def answer_422(errors: Sequence[Mapping[str, Any]]) -> bytes:
    return orjson.dumps({"detail": located(errors)})


# --- bodies no model should see ----------------------------------------------------------

#: A surrogate can only come from a \uD800-\uDFFF escape or from raw (invalid UTF-8) bytes.
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class _NotFinite:
    """Where the body had ``NaN``, ``Infinity`` or a number beyond a float's range."""


_NOT_FINITE = _NotFinite()


def body_errors(body: bytes) -> list[dict[str, Any]]:
    """Why a JSON body cannot be taken as it is (pydantic-style errors, located), or none.

    Non-finite numbers (``NaN``, ``Infinity``, ``1e400``) and lone surrogates
    are refused wherever they are; a body that is not JSON at all is left to
    the route (which answers its own 422).
    """
    odd = False

    def constant(name: str) -> Any:
        nonlocal odd
        odd = True
        return _NOT_FINITE

    def real(text: str) -> Any:
        nonlocal odd
        value = float(text)
        if math.isfinite(value):
            return value
        odd = True
        return _NOT_FINITE

    try:
        doc = json.loads(body, parse_constant=constant, parse_float=real)
    except ValueError:  # not JSON (or not UTF-8): the route's own answer
        return []
    if not odd and not _MAYBE_SURROGATE.search(body):
        return []
    found: list[dict[str, Any]] = []
    _walk(doc, ("body",), found)
    return found


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _walk(node: Any, loc: tuple[str | int, ...], found: list[dict[str, Any]]) -> None:
    if node is _NOT_FINITE:
        found.append({"loc": loc, "type": "finite_number"})
    elif isinstance(node, str):
        if _has_surrogate(node):
            found.append({"loc": loc, "type": "unicode"})
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, (*loc, i), found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if _has_surrogate(key):
                found.append({"loc": (*loc, key), "type": "unicode"})
            else:
                _walk(value, (*loc, key), found)


class StrictJson:
    """ASGI middleware: a 422 for JSON bodies holding what cannot be stored or answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT", "PATCH")
            or not is_json(scope)
            or is_upload(scope["method"], scope["path"])  # YAML or files, streamed
        ):
            return await self.app(scope, receive, send)
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:  # bounded: BodyLimit (outside) has read and checked it already
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return await self.app(scope, replay(messages, receive), send)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problems = body_errors(body) if body else []
        if not problems:
            return await self.app(scope, replay(messages, receive), send)
        payload = answer_422(problems)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": 422, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
