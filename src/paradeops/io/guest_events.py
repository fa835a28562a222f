"""Append one attendance event to a ``guests.yaml`` in place, its layout kept.

A full round-trip dump would rewrap long lines and reindent sections, so the
file is not re-dumped: the round-trip parser (ruamel) says where ``events:``
and its last item are, and the new event is inserted there as one line,
``- {guest: ..., at: ..., kind: ...}``, indented like its neighbours (or the
list is started). Every other byte of the file stays as it was. The result
is read back and must give the old history plus exactly the new event.

The file is replaced atomically (a temporary file in the same folder, then
rename), keeps its permissions, and is not replaced if it changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from paradeops.errors import UserError
from paradeops.model.yamlsource import load_round_trip
from paradeops.protocol.guests import Event

#: A scalar that YAML reads back as the same string when written plain.
_PLAIN = re.compile(r"[A-Za-z][\w.\- ]*[\w.]|[A-Za-z]")


def event_line(event: Event) -> str:
    """The event as one YAML flow mapping, e.g. ``{guest: la, at: 2025-05-06, kind: cancelled}``."""
    parts = [f"guest: {_scalar(event.guest)}", f"at: {_moment(event.at)}",
             f"kind: {event.kind.value}"]
    if event.reason is not None:
        parts.append(f"reason: {_scalar(event.reason)}")
    if event.source is not None:
        source = [f"by: {_scalar(event.source.by)}"]
        if event.source.where is not None:
            source.append(f"where: {_scalar(event.source.where)}")
        parts.append("source: {" + ", ".join(source) + "}")
    return "{" + ", ".join(parts) + "}"


def _moment(at: dt.date | dt.datetime) -> str:
    # A date is written plain (as the examples do); a datetime quoted, as YAML
    # would otherwise read it as a timestamp of its own.
    return at.isoformat() if not isinstance(at, dt.datetime) else json.dumps(at.isoformat())


def _scalar(text: str) -> str:
    """``text`` plain when YAML reads it back unchanged, else double-quoted (JSON is YAML)."""
    if _PLAIN.fullmatch(text) and _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    try:
        loaded: Any = YAML(typ="safe", pure=True).load(f"k: {text}\n")
    except Exception:  # noqa: BLE001 - any failure means "quote it"
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text


def append_event_text(text: str, file: str, event: Event) -> str:
    """``text`` (a guests.yaml) with ``event`` added at the end of ``events:``."""
    doc = load_round_trip(text, file)
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        raise UserError("the file is not a block mapping (key: value lines)", file=file,
                        hint="write guests.yaml as in docs/protocol.md")
    lines = text.splitlines(keepends=True)
    newline = _newline(lines)
    item = event_line(event)
    if "events" not in doc:
        return _with_trailing_newline(lines, newline) + f"events:{newline}  - {item}{newline}"
    events = doc["events"]
    key_line, key_column = (int(x) for x in doc.lc.key("events"))
    if events is None or (isinstance(events, list) and not events):
        return _start_list(lines, key_line, key_column, item, newline, file)
    if not isinstance(events, CommentedSeq) or events.fa.flow_style():
        raise UserError("events: is written inline ([...]); an event can only be appended "
                        "to a block list", file=file, line=key_line + 1, field="events",
                        hint="write one '- {guest: ..., at: ..., kind: ...}' per line")
    start, column = (int(x) for x in events.lc.item(len(events) - 1))
    dash = lines[start].rfind("-", 0, column)
    end = _item_end(lines, start, dash)
    head = lines[: end + 1]
    head[-1] = head[-1] if head[-1].endswith(("\n", "\r")) else head[-1] + newline
    return "".join(head) + " " * dash + f"- {item}{newline}" + "".join(lines[end + 1:])


def _start_list(lines: list[str], key_line: int, key_column: int, item: str,
                newline: str, file: str) -> str:
    """``events:`` (or ``events: []`` / ``~`` / ``null``) followed by its first item."""
    line = lines[key_line]
    match = re.match(r"(\s*events\s*:)\s*(\[\s*\]|~|null|Null|NULL)?\s*(#.*)?$",
                     line.rstrip("\r\n"))
    if match is None:
        raise UserError("cannot tell where events: ends", file=file, line=key_line + 1,
                        field="events", hint="write events: on a line of its own")
    comment = f"  {match.group(3)}" if match.group(3) else ""
    first = " " * (key_column + 2) + f"- {item}{newline}"
    return ("".join(lines[:key_line]) + match.group(1) + comment + newline + first
            + "".join(lines[key_line + 1:]))


def _item_end(lines: list[str], start: int, dash: int) -> int:
    """The last line of the list item starting on line ``start`` with its dash at ``dash``.

    Lines indented past the dash continue the item (a wrapped flow mapping,
    a block mapping); blank lines and comments at or left of the dash do not,
    so a comment introducing the next section stays with it.
    """
    end = start
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped:
            continue
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        if indent <= dash:
            break
        end = i
    return end


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _with_trailing_newline(lines: list[str], newline: str) -> str:
    text = "".join(lines)
    return text if not text or text.endswith(("\n", "\r")) else text + newline


def replace_file(path: Path, original: bytes, text: str) -> None:
    """Write ``text`` over ``path`` atomically, unless the file no longer holds ``original``."""
    name = str(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        mode = os.stat(path).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            if path.read_bytes() != original:
                raise UserError("the file changed while the event was being appended",
                                file=name, hint="run the command again")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as e:
        raise UserError(f"cannot write: {e.strerror}", file=name) from None
