"""The service's log: the standard ``logging`` module, text or JSON lines, on stderr.

:func:`configure` (called by ``paradeops serve``) puts one handler on the
root logger, so every module's logger (``paradeops.*``, ``uvicorn.*``) comes
out through it. Whatever a module writes, the handler

* strips anything that looks like a bearer token, password, cookie or
  signing key (:data:`_SECRETS`), and control characters from the message
  (a path or a user name cannot forge a second line);
* lets through at most :data:`BURST` lines of one kind (logger, level, message
  template) per :data:`WINDOW_S` seconds below ERROR, and says how many it
  dropped on the next line of that kind: a flood of refused requests cannot
  fill the disk or eat the CPU the check-ins need. Errors are never dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import threading
import time
from contextvars import ContextVar
from typing import Any, TextIO

from paradeops.service.settings import ServiceSettings

#: Lines of one kind below ERROR let through per window.
BURST = 50
WINDOW_S = 10.0

#: Values never logged: bearer tokens, ``password=…``-style pairs, our signed
#: tokens anywhere (``base64url.base64url``), cookies.
_SECRETS = re.compile(
    r"(?i)(bearer\s+)\S+"
    r"|((?:password|passwd|token|secret|key|cookie|authorization|csrf)[\"']?\s*[=:]\s*[\"']?)"
    r"[^\s\"'&,;]+"
    r"|[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: The id of the request being answered (set by errors.RequestLog): every line
#: logged while answering it, by any module, carries it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

#: Attributes every LogRecord has; anything else was passed as ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "throttle_key",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


def redact(text: str) -> str:
    return _SECRETS.sub(_redacted, text)


def _redacted(m: re.Match[str]) -> str:
    prefix = m[1] or m[2]
    return f"{prefix}[redacted]" if prefix else "[redacted]"


def one_line(text: str) -> str:
    """``text`` without line breaks or control characters (shown as escapes)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra={…}`` fields of a record (request id, status, …)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


def _timestamp(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``TIME LEVEL logger: message key=value …``, the traceback indented below."""

    def format(self, record: logging.LogRecord) -> str:
        message = one_line(redact(record.getMessage()))
        fields = " ".join(f"{k}={one_line(redact(str(v)))}" for k, v in extras(record).items())
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {message}"
        if fields:
            line += " " + fields
        if record.exc_info:
            trace = redact(self.formatException(record.exc_info))
            line += "\n" + "\n".join("    " + t for t in trace.splitlines())
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the extras, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for k, v in extras(record).items():
            doc[k] = redact(v) if isinstance(v, str) else v
        if record.exc_info:
            doc["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, default=str, ensure_ascii=False)


class Throttle(logging.Filter):
    """At most :data:`BURST` records of one kind per window below ERROR."""

    def __init__(self, burst: int = BURST, window_s: float = WINDOW_S) -> None:
        super().__init__()
        self.burst = burst
        self.window_s = window_s
        self._lock = threading.Lock()
        #: kind → (window start, lines let through, lines dropped)
        self._kinds: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        kind = (record.name, record.levelno, str(getattr(record, "throttle_key", record.msg)))
        now = time.monotonic()
        with self._lock:
            start, passed, dropped = self._kinds.get(kind, (now, 0, 0))
            if now - start >= self.window_s:
                start, passed = now, 0
            if passed >= self.burst:
                self._kinds[kind] = (start, passed, dropped + 1)
                return False
            self._kinds[kind] = (start, passed + 1, 0)
            if len(self._kinds) > 10_000:  # kinds come from code, but bound it anyway
                self._kinds.clear()
        if dropped:
            record.dropped_before = dropped
        return True


def configure(settings: ServiceSettings, stream: TextIO | None = None) -> logging.Handler:
    """Send every logger's lines to ``stream`` (stderr) as text, or JSON lines with ``log_json``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_json else TextFormatter())
    handler.addFilter(_with_request_id)
    handler.addFilter(Throttle())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # Our own lines (refusals at INFO, failures above) and uvicorn's start/stop lines.
    logging.getLogger("paradeops").setLevel(logging.INFO)
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.INFO if settings.access_log else logging.WARNING)
    if _without_query not in access.filters:
        access.addFilter(_without_query)
    return handler


def _with_request_id(record: logging.LogRecord) -> bool:
    if not hasattr(record, "request_id"):
        current = request_id.get()
        if current is not None:
            record.request_id = current
    return True


def _without_query(record: logging.LogRecord) -> bool:
    """uvicorn's access line shows the query string; drop it (it may carry a token)."""
    if isinstance(record.args, tuple) and len(record.args) >= 3:
        args = list(record.args)
        if isinstance(args[2], str):
            args[2] = args[2].split("?", 1)[0]
            record.args = tuple(args)
    return True
